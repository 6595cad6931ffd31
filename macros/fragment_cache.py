"""Rendered macro fragments kept in memory, least recently used first out, bounded in bytes.

Each app process has its own cache (gunicorn's workers do not share it): a map is rendered once
per process per data version, which is cheap, and nothing has to be invalidated across processes
because the key already carries the data version (`macros.cache.cache_key`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class FragmentCache:
    """A thread-safe LRU of rendered HTML fragments: at most `max_entries` and `max_bytes`."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> str | None:
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: str, value: str) -> None:
        size = _size(value)
        if size > self.max_bytes:
            return  # never evict everything for one giant map
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= _size(old)
            self._items[key] = value
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._bytes -= _size(evicted)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size_bytes(self) -> int:
        return self._bytes


def _size(value: str) -> int:
    # Characters, not encoded bytes: close enough for a bound, and O(1).
    return len(value)
