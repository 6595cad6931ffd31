"""Rendered macro fragments kept in memory, least recently used first out, bounded in bytes.

Each app process has its own cache (the server's workers do not share it): a map is rendered once
per process per data version, which is cheap, and nothing has to be invalidated across processes
because the key already carries the data version (`macros.cache.cache_key`).
"""

from __future__ import annotations

import threading

from cachetools import LRUCache


class FragmentCache:
    """A thread-safe LRU of rendered HTML fragments: at most `max_entries` and `max_bytes`
    (cachetools' LRUCache, bounded by size; each entry counts at least max_bytes / max_entries,
    so the entry bound holds as well)."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        unit = max_bytes // max_entries
        self._items: LRUCache[str, str] = LRUCache(
            maxsize=max_bytes, getsizeof=lambda value: max(_size(value), unit)
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> str | None:
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self.hits += 1
            return value

    def put(self, key: str, value: str) -> None:
        if _size(value) > self.max_bytes:
            return  # never evict everything for one giant map
        with self._lock:
            self._items[key] = value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size_bytes(self) -> int:
        with self._lock:
            return sum(_size(value) for value in self._items.values())


def _size(value: str) -> int:
    # Characters, not encoded bytes: close enough for a bound, and O(1).
    return len(value)
