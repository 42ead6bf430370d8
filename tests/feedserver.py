"""A real HTTP server on 127.0.0.1 for the fetching tests and the feeds benchmark.

Routes are registered bytes (with ETag / Last-Modified and 304 answers, gzip on request) plus
misbehaving endpoints: slow, trickling, 500, redirect loops, redirects to file://, huge bodies,
gzip bombs, lying Content-Length and garbage. Every request is logged with what was sent.
"""

from __future__ import annotations

import gzip
import hashlib
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from xml.sax.saxutils import escape

import pytest


@dataclass
class Route:
    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    validators: bool = True  # send ETag and Last-Modified, answer 304
    gzip: bool = False  # gzip when the client accepts it
    # What a distant server does once per version of a feed is done once here too: its CPU is
    # not the client's, and on loopback it would be (the feeds benchmark shares two cores).
    _made: tuple[bytes, str, bytes] | None = field(default=None, repr=False)

    def prepared(self) -> tuple[str, bytes]:
        """The ETag of the current body and the body gzipped, computed once per body."""
        if self._made is None or self._made[0] is not self.body:
            etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'
            self._made = (self.body, etag, gzip.compress(self.body) if self.gzip else b"")
        return self._made[1], self._made[2]


@dataclass
class Hit:
    path: str
    status: int
    sent: int  # body bytes written
    headers: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # listen backlog: the default 5 (and 128 at 200 feeds at once) drops
    # connections, which the client retries a second later
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up early (on purpose, in these tests) are not errors


class Served:
    """A test server on 127.0.0.1 run by a thread for the length of a `with` block."""

    _httpd: ThreadingHTTPServer
    _thread: threading.Thread

    def _serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class FeedServer(Served):
    def __init__(self, delay: float = 0.0, tls: tuple[Path, Path] | None = None) -> None:
        self.delay = delay  # added to every response, as a distant server would
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.in_flight = 0  # requests waiting for their answer now (see `delay`)
        self.most_in_flight = 0  # the most ever waiting at once
        self._lock = threading.Lock()
        self._serve(self._handler())
        self.scheme = "http"
        if tls is not None:  # HTTPS with this certificate and key
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes, **options: object) -> str:
        self.routes[path] = Route(body, **options)  # type: ignore[arg-type]
        return self.url(path)

    def hits_for(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def bytes_sent(self) -> int:
        with self._lock:
            return sum(h.sent for h in self.hits)

    def _log(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                # Counted while the server "thinks", before any byte of the answer: the client
                # may send its next request as soon as it has read one.
                with server._lock:
                    server.in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server.in_flight)
                try:
                    if server.delay:
                        time.sleep(server.delay)
                finally:
                    with server._lock:
                        server.in_flight -= 1
                self._answer()

            def _answer(self) -> None:
                path = self.path.split("?")[0]
                if path.startswith("http://"):  # asked as a proxy: serve the URL's path
                    path = "/" + path.split("/", 3)[-1] if path.count("/") > 2 else "/"
                special = getattr(self, "_" + path.strip("/").split("/")[0].replace("-", "_"), None)
                if path in server.routes:
                    self._route(path, server.routes[path])
                elif special is not None:
                    special(path)
                else:
                    self._send(path, 404, b"not found", "text/plain")

            def _send(
                self, path: str, status: int, body: bytes, ctype: str, **headers: str
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                # logged before the body goes out: a client that has read the whole answer
                # must find it in the log (else a test may look before this thread logs it)
                server._log(Hit(path, status, len(body), dict(self.headers.items())))
                self.end_headers()
                self.wfile.write(body)

            def _route(self, path: str, route: Route) -> None:
                etag, gzipped = route.prepared()
                modified = "Wed, 18 Nov 2026 10:00:00 GMT"
                headers: dict[str, str] = {}
                if route.validators:
                    headers = {"ETag": etag, "Last_Modified": modified}
                    if self.headers.get("If-None-Match") == etag or (
                        self.headers.get("If-Modified-Since") == modified
                        and not self.headers.get("If-None-Match")
                    ):
                        self.send_response(304)
                        self.send_header("ETag", etag)
                        self.send_header("Content-Length", "0")
                        server._log(Hit(path, 304, 0, dict(self.headers.items())))
                        self.end_headers()
                        return
                body = route.body
                if route.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = gzipped
                    headers["Content_Encoding"] = "gzip"
                self._send(path, 200, body, route.content_type, **headers)

            # -- misbehaving routes --------------------------------------------------------

            def _slow(self, path: str) -> None:  # /slow/<seconds>
                time.sleep(float(path.rsplit("/", 1)[-1]))
                self._send(path, 200, rss_feed(make_items(2)), "application/rss+xml")

            def _status(self, path: str) -> None:  # /status/<code>
                code = int(path.rsplit("/", 1)[-1])
                self._send(path, code, b"<h1>Internal error</h1>", "text/html")

            def _loop(self, path: str) -> None:  # /loop/a <-> /loop/b
                other = "/loop/b" if path.endswith("/a") else "/loop/a"
                self._send(path, 302, b"", "text/plain", Location=other)

            def _chain(self, path: str) -> None:  # /chain/<n> -> ... -> /chain/0 -> feed
                n = int(path.rsplit("/", 1)[-1])
                target = f"/chain/{n - 1}" if n > 0 else "/feeds/chained.xml"
                self._send(path, 301, b"", "text/plain", Location=target)

            def _moved_for_now(self, path: str) -> None:  # 302 to the rest of the path
                target = path.removeprefix("/moved-for-now")
                self._send(path, 302, b"", "text/plain", Location=target)

            def _to_bad_address(self, path: str) -> None:  # an unclosed IPv6 bracket
                self._send(path, 302, b"", "text/plain", Location="http://[oops/x")

            def _to_accented(self, path: str) -> None:  # a Location in raw UTF-8, and userinfo
                where = {"/to-accented": "/feeds/f\u00e9e.xml", "/to-accented/user": (
                    "http://\u00e9l\u00e8ve@127.0.0.1:9/x")}[path]  # fmt: skip
                self._send(path, 302, b"", "text/plain",
                           Location=where.encode().decode("latin-1"))  # fmt: skip

            def _big_error(self, path: str) -> None:  # a 3 MB error page, or a 3 MB redirect
                padding = b"<p>sorry</p>" * 250_000
                if path.endswith("/redirect"):
                    self._send(path, 301, padding, "text/html", Location="/feeds/chained.xml")
                else:
                    self._send(path, 404, padding, "text/html")
                self.close_connection = True

            def _burst_then_stall(self, path: str) -> None:  # 1 MB of 1.5, then nothing
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", "1500000")
                self.end_headers()
                try:
                    self.wfile.write(b" " * 1_000_000)
                    self.wfile.flush()
                    time.sleep(5)
                except OSError:
                    pass
                self.close_connection = True
                server._log(Hit(path, 200, 1_000_000))

            def _trailers(self, path: str) -> None:  # chunked, with trailers after the body
                body = rss_feed(make_items(1))
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", '"real"')
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Trailer", "ETag, Content-Type")
                self.end_headers()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(body), body))
                self.wfile.write(b'0\r\nETag: "trailer"\r\nContent-Type: text/html\r\n\r\n')
                server._log(Hit(path, 200, len(body)))

            def _odd_etag(self, path: str) -> None:  # an ETag in raw UTF-8, and its 304
                etag = '"caf\u00e9"'.encode().decode("latin-1")  # sent byte for byte
                if self.headers.get("If-None-Match") == etag:
                    self._send(path, 304, b"", "application/rss+xml", ETag=etag)
                else:
                    self._send(path, 200, rss_feed(make_items(1)), "application/rss+xml", ETag=etag)

            def _to_file(self, path: str) -> None:
                self._send(path, 302, b"", "text/plain", Location="file:///etc/passwd")

            def _trickle(self, path: str) -> None:  # a byte every 0.2 s, never ending
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.end_headers()
                try:
                    self.wfile.write(b"<?xml version='1.0'?><rss><channel>")
                    for _ in range(600):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(0.2)
                except OSError:
                    pass
                server._log(Hit(path, 200, 0))

            def _huge(self, path: str) -> None:  # 50 MB announced, streamed while read
                size = 50_000_000
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                if not path.endswith("/unannounced"):
                    self.send_header("Content-Length", str(size))
                self.end_headers()
                sent = 0
                try:
                    self.wfile.write(b"<?xml version='1.0'?><rss><channel>")
                    chunk = b"<!-- padding -->" * 4096
                    while sent < size:
                        self.wfile.write(chunk)
                        sent += len(chunk)
                except OSError:
                    pass
                server._log(Hit(path, 200, sent))
                self.close_connection = True

            def _bomb(self, path: str) -> None:  # 200 MB of zeros, ~200 KB gzipped
                self._send(path, 200, gzip_bomb(), "application/rss+xml", Content_Encoding="gzip")

            def _lie(self, path: str) -> None:  # announces 5000 bytes, sends 40, hangs up
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", "5000")
                self.end_headers()
                self.wfile.write(b"<?xml version='1.0'?><rss><channel><item>")
                self.close_connection = True
                server._log(Hit(path, 200, 40))

            def _not_http(self, path: str) -> None:  # no status line at all
                self.wfile.write(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
                self.close_connection = True
                server._log(Hit(path, 0, 0))

            def _garbage(self, path: str) -> None:
                noise = hashlib.sha512(b"noise").digest() * 64
                self._send(path, 200, noise, "application/rss+xml")

        return Handler


_BOMB: bytes | None = None


def gzip_bomb() -> bytes:
    global _BOMB
    if _BOMB is None:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        zeros = bytes(1_000_000)
        _BOMB = b"".join(packer.compress(zeros) for _ in range(200)) + packer.flush()
    return _BOMB


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


# -- feed makers -------------------------------------------------------------------------


def make_items(
    count: int,
    *,
    start: datetime | None = None,
    step: timedelta = timedelta(hours=3),
    site: str = "https://news.example.org",
    prefix: str = "item",
) -> list[dict[str, object]]:
    """`count` items, newest first, one every `step` back from `start`."""
    start = start or datetime(2026, 11, 22, 12, tzinfo=UTC)
    topics = ("OpenStack", "Kubernetes", "KubeVirt", "Ceph", "Proxmox", "OpenTofu")
    items = []
    for i in range(count):
        topic = topics[i % len(topics)]
        items.append(
            {
                "title": f"{topic}: release notes number {i} for {prefix}",
                "link": f"{site}/{prefix}/{i}?utm_source=rss&utm_medium=feed",
                "guid": f"{site}/{prefix}/{i}",
                "date": start - step * i,
                "html": (
                    f'<p>The {topic} community published <a href="{site}/{prefix}/{i}/notes">'
                    f"release {i}</a> this week, with <strong>{100 + i} contributors</strong> "
                    f"from 24 countries.</p><ul><li>Faster upgrades</li><li>Better docs for "
                    f"operators</li></ul><p>Operators moving off VMware will find a migration "
                    f'guide and a <a href="/guides/{i}">checklist</a>.</p>'
                ),
            }
        )
    return items


def rss_feed(items: list[dict[str, object]], title: str = "Example news") -> bytes:
    parts = []
    for item in items:
        date = item.get("date")
        pub = f"<pubDate>{format_datetime(date)}</pubDate>" if isinstance(date, datetime) else ""
        parts.append(
            f"<item><title>{escape(str(item['title']))}</title>"
            f"<link>{escape(str(item['link']))}</link><guid>{escape(str(item['guid']))}</guid>"
            f"{pub}<description>{escape(str(item['html']))}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://news.example.org/</link>"
        "<description>News</description><language>en</language>"
        + "".join(parts)
        + "</channel></rss>"
    ).encode()
