"""The only network I/O: GET many URLs at once, politely and defensively (pycurl, libcurl).

Each URL gets a bounded slot, a read timeout, a total deadline (a server that trickles one
byte a second never ends otherwise), a cap on the DECODED size (a gzip bomb is small on the
wire), redirects followed by hand (http/https only, loops named) and a conditional GET from
the validators the caller remembers. Failures come back as values with a one-line reason.

libcurl rather than an asyncio client: a weekly re-run sends ~200 conditional GETs and little
else, and on a small machine that run is CPU-bound. With HTTP, TLS and gzip done in C, 200 of
them cost ~0.08 s of CPU, import included, against ~0.4 s with aiohttp (whose import alone
builds two TLS contexts and a hundred modules) and more with httpx.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from recapmail import __version__
from recapmail.config import FetchConfig
from recapmail.sources.wire import Refused, next_hop, trusted_certificates, utf8_header, wire_url

if TYPE_CHECKING:
    import pycurl

Status = Literal["ok", "not_modified", "error"]
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, application/json;q=0.8, text/html;q=0.7, */*;q=0.1"
)
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True, slots=True)
class FetchRequest:
    url: str
    name: str = ""  # for messages: the configured source's name
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    request: FetchRequest
    status: Status
    body: bytes = b""
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    final_url: str | None = None
    moved_to: str | None = None  # final_url, when every redirect said "for good" (301/308)
    error: str | None = None  # one line, for a warning
    elapsed: float = 0.0


def user_agent(cfg: FetchConfig) -> str:
    return cfg.user_agent or f"recapmail/{__version__} (newsletter builder; feed reader)"


def fetch_all(
    requests: Sequence[FetchRequest],
    cfg: FetchConfig,
    *,
    on_result: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Fetch every URL, at most `cfg.concurrency` at a time; results in request order.

    `on_result` runs in this thread as each URL finishes, so the caller can parse one feed
    while the others are still on the wire; if it raises, the fetching stops there.
    """
    if not requests:
        return []
    import pycurl

    multi = pycurl.CurlMulti()
    active: dict[pycurl.Curl, _Transfer] = {}
    waiting = deque(_Transfer(i, r, cfg) for i, r in enumerate(requests))
    results: list[FetchResult | None] = [None] * len(requests)
    tick = min(1.0, cfg.timeout / 4)  # how often silent transfers are looked at
    next_look = time.perf_counter() + tick

    def launch(transfer: _Transfer) -> None:
        """The transfer's next hop on the wire, or its end when that hop cannot start."""
        try:
            handle = transfer.start()
        except Refused as failure:
            end(transfer, transfer.failed(str(failure)))
        else:
            active[handle] = transfer
            multi.add_handle(handle)

    def end(transfer: _Transfer, result: FetchResult) -> None:
        results[transfer.index] = result
        if on_result is not None:
            began = time.perf_counter()
            on_result(result)
            # While on_result ran (a state write waiting for another run's lock, a big parse),
            # nobody read the sockets: that time is not the servers' silence.
            spent = time.perf_counter() - began
            for other in active.values():
                other.last_byte += spent

    try:
        while waiting or active:
            while waiting and len(active) < max(1, cfg.concurrency):
                launch(waiting.popleft())
            while multi.perform()[0] == pycurl.E_CALL_MULTI_PERFORM:
                pass
            finished = _finished(multi)
            for handle, code, message in finished:
                transfer = active.pop(handle)
                multi.remove_handle(handle)
                result = transfer.finish(handle, code, message)
                handle.close()
                if result is None:  # a redirect: the next hop takes this slot again
                    launch(transfer)
                else:
                    end(transfer, result)
            if time.perf_counter() >= next_look:
                next_look = time.perf_counter() + tick
                for handle in [h for h, transfer in active.items() if transfer.stalled()]:
                    transfer = active.pop(handle)
                    multi.remove_handle(handle)
                    handle.close()
                    end(transfer, transfer.failed(f"timed out (no data for {cfg.timeout:g} s)"))
            if not finished and active:
                wait = multi.timeout()  # ms until libcurl's next timer, -1: none
                multi.select(tick if wait < 0 else min(wait / 1000, tick))
    finally:
        for handle in active:
            multi.remove_handle(handle)
            handle.close()
        multi.close()
    return [r for r in results if r is not None]


def fetch_one(url: str, cfg: FetchConfig) -> FetchResult:
    return fetch_all([FetchRequest(url, url)], cfg)[0]


def _finished(multi: pycurl.CurlMulti) -> list[tuple[pycurl.Curl, int, str]]:
    """The transfers libcurl has ended since the last call, with its error code (0: none)."""
    done: list[tuple[pycurl.Curl, int, str]] = []
    while True:
        queued, ok, failed = multi.info_read()
        done += [(handle, 0, "") for handle in ok]
        done += failed
        if not queued:
            return done


@dataclass(eq=False)
class _Transfer:
    """One URL's way through its hops: the answer so far, and why it stopped if it failed."""

    index: int
    request: FetchRequest
    cfg: FetchConfig
    url: str = ""
    visited: list[str] = field(default_factory=list)
    started: float = 0.0  # when its first hop went out: the deadline runs from there
    status_line: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0
    failure: str | None = None
    permanent: bool = True  # every redirect so far was a 301 or a 308
    skip_body: bool = False  # a redirect's or an error's body: not read
    headers_done: bool = False  # header lines after these are trailers
    connected: bool = False  # the read timeout runs from here (connecting has its own)
    received: int = 0  # bytes on the wire so far, and when the last of them came
    last_byte: float = 0.0

    def __post_init__(self) -> None:
        self.url = self.request.url
        self.visited = [self.url]

    def start(self) -> pycurl.Curl:
        import pycurl

        cfg = self.cfg
        if not self.started:
            self.started = time.perf_counter()
        options: list[tuple[int, object]] = [
            (pycurl.URL, wire_url(self.url)),
            (pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS),
            (pycurl.NOSIGNAL, 1),
            (pycurl.USERAGENT, user_agent(cfg)),
            (pycurl.HTTPHEADER, self._request_headers()),
            (pycurl.ACCEPT_ENCODING, ""),  # all this libcurl inflates: gzip, deflate, br, zstd
            (pycurl.CONNECTTIMEOUT_MS, max(1, round(cfg.timeout * 1000))),
            (pycurl.TIMEOUT_MS, max(1, round(self._left() * 1000))),
            (pycurl.MAXFILESIZE_LARGE, cfg.max_bytes),  # a Content-Length over the cap
            (pycurl.WRITEFUNCTION, self._write),
            (pycurl.HEADERFUNCTION, self._header),
            # The read timeout is timed here (see stalled()): libcurl's low-speed check averages
            # over seconds, and let a server that sent a burst then stalled go on for 3-4x longer.
            (pycurl.PREREQFUNCTION, self._connected),
            (pycurl.NOPROGRESS, 0),
            (pycurl.XFERINFOFUNCTION, self._progress),
        ]
        if self.url[:6].lower() == "https:":
            options += trusted_certificates()
        handle = pycurl.Curl()
        try:
            for option, value in options:
                handle.setopt(option, value)
        except (pycurl.error, UnicodeError, ValueError) as exc:  # e.g. a NUL in the address
            handle.close()
            raise Refused(f"not a valid address ({_one_line(str(exc))})") from None
        self.status_line, self.headers, self.chunks, self.size = "", {}, [], 0
        self.failure, self.skip_body, self.headers_done, self.connected = None, False, False, False
        self.received, self.last_byte = 0, time.perf_counter()
        return handle

    def finish(self, handle: pycurl.Curl, code: int, message: str) -> FetchResult | None:
        """The result of this hop, or None when it redirects to the next one."""
        import pycurl

        cfg = self.cfg
        status = int(handle.getinfo(pycurl.RESPONSE_CODE))
        try:
            # An answer of 300 or more says all there is: how its unread body ended does not.
            if code and status < 300:
                raise Refused(self.failure or self._reason(code, message, handle))
            location = utf8_header(self.headers.get("location", ""))
            if status in REDIRECTS and location:
                self.url = next_hop(self.url, location, self.visited, cfg.max_redirects)
                self.permanent &= status in (301, 308)
                return None
        except Refused as failure:
            return self.failed(str(failure))
        if status == 304:
            return FetchResult(
                self.request, "not_modified", http_status=304, final_url=self.url,
                elapsed=self.elapsed,
            )  # fmt: skip
        if not 200 <= status < 300:
            phrase = self.status_line.split(None, 2)[2:]
            return self.failed(f"HTTP {status} {phrase[0] if phrase else ''}".strip())
        return FetchResult(
            self.request,
            "ok",
            body=b"".join(self.chunks),
            http_status=status,
            etag=self.headers.get("etag"),
            last_modified=self.headers.get("last-modified"),
            content_type=self.headers.get("content-type"),
            final_url=self.url,
            moved_to=self.url if self.permanent and len(self.visited) > 1 else None,
            elapsed=self.elapsed,
        )

    def failed(self, reason: str) -> FetchResult:
        return FetchResult(self.request, "error", error=reason, elapsed=self.elapsed)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def _request_headers(self) -> list[bytes]:
        headers = [b"Accept: " + ACCEPT.encode()]
        for name, value in (
            ("If-None-Match", self.request.etag),
            ("If-Modified-Since", self.request.last_modified),
        ):
            try:  # the bytes the server sent (headers are read as Latin-1)
                line = f"{name}: {_one_line(value)}".encode("latin-1") if value else None
            except UnicodeEncodeError:  # kept by an older recapmail: not sent back
                line = None
            if line:
                headers.append(line)
        return headers

    def _left(self) -> float:
        """What is left of the URL's deadline: its hops share it."""
        return self.cfg.deadline - (time.perf_counter() - self.started)

    def _header(self, line: bytes) -> None:
        self.last_byte = time.perf_counter()
        text = line.decode("latin-1").strip()  # byte for byte: validators go back as they came
        if text.startswith("HTTP/"):  # a new answer (after a 100 Continue or a proxy's 200)
            self.status_line, self.headers = text, {}
            self.skip_body = self.headers_done = False
        elif self.headers_done:
            return  # trailers after a chunked body: not the answer's headers
        elif ":" in text:
            name, _, value = text.partition(":")
            self.headers.setdefault(name.strip().lower(), value.strip())
        elif not text:  # the end of a block of headers
            code = self.status_line.split(None, 2)[1:2]
            status = int(code[0]) if code and code[0].isdigit() else 0
            self.headers_done = status >= 200  # not after a 100 Continue or a 103
            self.skip_body = status >= 300

    def _connected(self, *_: object) -> int:
        """libcurl is about to send the request: connected, TLS done."""
        self.connected, self.last_byte = True, time.perf_counter()
        return 0  # PREREQFUNC_OK

    def _progress(self, _total: int, received: int, _to_send: int, _sent: int) -> int:
        """Called by libcurl as bytes come (on the wire: before any gzip is undone)."""
        if received != self.received:
            self.received, self.last_byte = received, time.perf_counter()
        return 0

    def stalled(self) -> bool:
        """Connected, and no byte for `timeout` seconds."""
        return self.connected and time.perf_counter() - self.last_byte > self.cfg.timeout

    def _write(self, data: bytes) -> int | None:
        """Keep the decoded body up to the cap; returning 0 makes libcurl stop the transfer,
        so a gzip bomb is inflated no further than the cap (libcurl inflates ~16 KB at a time).
        """
        if self.skip_body:
            return 0  # stops the transfer; finish() answers from the status
        self.size += len(data)
        if self.size > self.cfg.max_bytes:
            self.failure = _too_big(self.cfg) + (" once decompressed" if self._encoded else "")
            return 0
        self.chunks.append(data)
        return None

    @property
    def _encoded(self) -> bool:
        return self.headers.get("content-encoding", "identity").lower() not in ("identity", "")

    def _reason(self, code: int, message: str, handle: pycurl.Curl) -> str:
        """libcurl's error as one line that says what happened."""
        import pycurl

        cfg = self.cfg

        detail = _one_line(message)
        if code == pycurl.E_COULDNT_RESOLVE_HOST:
            return f"cannot connect (unknown host {urlsplit(self.url).hostname})"
        if code == pycurl.E_COULDNT_CONNECT:
            errno = int(handle.getinfo(pycurl.OS_ERRNO))
            reason = os.strerror(errno) if errno > 0 else detail
            refused = int(handle.getinfo(pycurl.HTTP_CONNECTCODE))
            if refused:
                return f"the proxy refused to connect to it (HTTP {refused})"
            if handle.getinfo(pycurl.USED_PROXY):
                return f"cannot connect to the proxy ({reason})"
            return f"cannot connect ({reason})"
        if code == pycurl.E_OPERATION_TIMEDOUT:
            if self._left() <= 0.05:
                return f"no complete answer within {cfg.deadline:g} s"
            if "connect" in detail.lower():
                return f"cannot connect (no answer within {cfg.timeout:g} s)"
            return f"timed out (no data for {cfg.timeout:g} s)"
        if code == pycurl.E_FILESIZE_EXCEEDED:
            declared = self.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cfg.max_bytes:
                return f"{_too_big(cfg)}: announces {_megabytes(int(declared))}"
            if self._encoded:  # libcurl counts the inflated bytes too
                return _too_big(cfg) + " once decompressed"
            return _too_big(cfg)
        if code == pycurl.E_BAD_CONTENT_ENCODING:
            encoding = self.headers.get("content-encoding", "")
            if "unrecognized" in detail.lower():
                return f"unsupported Content-Encoding {encoding[:40]!r}"
            return "the compressed response is corrupt"
        if code in (pycurl.E_PARTIAL_FILE, pycurl.E_GOT_NOTHING, pycurl.E_RECV_ERROR,
                    pycurl.E_SEND_ERROR):  # fmt: skip
            return "the connection broke before the answer was complete"
        if code == pycurl.E_PEER_FAILED_VERIFICATION:
            return f"TLS certificate not trusted ({detail})"
        if code == pycurl.E_SSL_CONNECT_ERROR:
            return f"TLS handshake failed ({detail})"
        if code == pycurl.E_FTP_WEIRD_SERVER_REPLY or "HTTP/0.9" in detail:  # 8: any protocol
            return f"not a valid HTTP answer ({detail})"
        if code in (pycurl.E_UNSUPPORTED_PROTOCOL, pycurl.E_URL_MALFORMAT):
            return f"not a valid address ({detail})"
        if code == pycurl.E_SSL_CACERT_BADFILE:
            return f"cannot read the trusted certificates ({detail}; see SSL_CERT_FILE)"
        if code == pycurl.E_COULDNT_RESOLVE_PROXY:
            return f"cannot reach the proxy ({detail})"
        return detail or f"libcurl error {code}"


def _too_big(cfg: FetchConfig) -> str:
    return f"larger than the {_megabytes(cfg.max_bytes)} limit ([fetch] max_bytes)"


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.3g} MB"


def _one_line(text: str) -> str:
    return " ".join(text.split())[:160]
