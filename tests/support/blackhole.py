"""A TCP proxy on the loopback that can make a server go silent: while it blackholes, it keeps
every socket open and accepts new ones, takes what the client sends and answers nothing, as a
frozen host or a load balancer in front of a dead one does (the kernel still acknowledges, so TCP
keepalives see nothing wrong). The connections it held stay silent for good; only connections
made after the blackhole ends reach the server again."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class _Link:
    client: socket.socket
    server: socket.socket | None
    dead: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        for end in (self.client, self.server):
            if end is not None:
                with contextlib.suppress(OSError):
                    end.close()


class BlackholeProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._blackholed = threading.Event()
        self._links: list[_Link] = []
        self._lock = threading.Lock()
        self._stopped = False
        threading.Thread(target=self._accept, name="blackhole-accept", daemon=True).start()

    def start_blackhole(self) -> None:
        with self._lock:
            self._blackholed.set()
            for link in self._links:
                link.dead.set()

    def end_blackhole(self) -> None:
        self._blackholed.clear()

    def close(self) -> None:
        self._stopped = True
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            for link in self._links:
                link.close()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._blackholed.is_set():
                    link = _Link(client, None)
                    link.dead.set()
                else:
                    link = _Link(client, socket.create_connection(self.target))
                self._links.append(link)
            self._pump(link, client, link.server)
            if link.server is not None:
                self._pump(link, link.server, client)

    def _pump(self, link: _Link, source: socket.socket, sink: socket.socket | None) -> None:
        def run() -> None:
            while True:
                try:
                    data = source.recv(65536)
                except OSError:
                    return
                if not data:
                    if not link.dead.is_set():
                        link.close()
                    return
                if link.dead.is_set() or sink is None:
                    continue  # swallowed: the client's kernel got its ACK, nothing answers
                try:
                    sink.sendall(data)
                except OSError:
                    return

        threading.Thread(target=run, name="blackhole-pump", daemon=True).start()


@contextlib.contextmanager
def blackhole_proxy(target: tuple[str, int]) -> Iterator[BlackholeProxy]:
    proxy = BlackholeProxy(target)
    try:
        yield proxy
    finally:
        proxy.close()
