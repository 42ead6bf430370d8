"""The only network I/O: GET many URLs at once, politely and defensively (aiohttp).

Each URL gets a bounded slot, a read timeout, a total deadline (a server that trickles one
byte a second never ends otherwise), a cap on the DECODED size (a gzip bomb is small on the
wire), redirects followed by hand (http/https only, loops named) and a conditional GET from
the validators the caller remembers. Failures come back as values with a one-line reason.

aiohttp rather than httpx: 200 conditional GETs cost ~0.1 s of CPU with it against ~0.45 s
with httpx (whose pool, anyio and sniffio layers run on every request), and a weekly run over
200 feeds is CPU-bound on a small machine.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urljoin, urlsplit

from recapmail import __version__
from recapmail.config import FetchConfig

if TYPE_CHECKING:
    import aiohttp

Status = Literal["ok", "not_modified", "error"]
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, application/json;q=0.8, text/html;q=0.7, */*;q=0.1"
)


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
    error: str | None = None  # one line, for a warning
    elapsed: float = 0.0


class _Failure(Exception):
    """A reason to give up on one URL; its message is the warning's reason."""


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
    while the others are still on the wire. (Fetching in a thread of its own and parsing in
    this one measured no faster: a digest of 200 feeds is CPU-bound, and both need the GIL.)
    """
    if not requests:
        return []
    return asyncio.run(_fetch_all(requests, cfg, on_result))


def fetch_one(url: str, cfg: FetchConfig) -> FetchResult:
    return fetch_all([FetchRequest(url, url)], cfg)[0]


async def _fetch_all(
    requests: Sequence[FetchRequest],
    cfg: FetchConfig,
    on_result: Callable[[FetchResult], None] | None,
) -> list[FetchResult]:
    """`cfg.concurrency` workers, each taking the next URL as it finishes one."""
    import aiohttp

    workers = max(1, min(cfg.concurrency, len(requests)))
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=workers, ttl_dns_cache=600),
        headers={"User-Agent": user_agent(cfg), "Accept": ACCEPT, "Accept-Encoding": "gzip"},
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=cfg.timeout, sock_read=cfg.timeout),
        auto_decompress=False,  # inflated by _read_capped, under the size cap
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=True,  # HTTP(S)_PROXY and NO_PROXY, as other tools on the machine
    )
    results: list[FetchResult | None] = [None] * len(requests)
    pending = iter(range(len(requests)))

    async def worker() -> None:
        for index in pending:  # one iterator shared by all: each URL is taken once
            result = await _guarded(session, requests[index], cfg)
            results[index] = result
            if on_result is not None:
                on_result(result)

    try:
        await asyncio.gather(*(worker() for _ in range(workers)))
    finally:
        await session.close()
    return [r for r in results if r is not None]


async def _guarded(
    session: aiohttp.ClientSession, request: FetchRequest, cfg: FetchConfig
) -> FetchResult:
    import aiohttp

    started = time.perf_counter()
    try:
        async with asyncio.timeout(cfg.deadline):
            result = await _get(session, request, cfg)
    except aiohttp.ServerTimeoutError:  # before TimeoutError: it is one too
        reason = f"timed out (no data for {cfg.timeout:g} s)"
    except TimeoutError:
        reason = f"no complete answer within {cfg.deadline:g} s"
    except aiohttp.ClientConnectorError as exc:
        reason = f"cannot connect ({_os_reason(exc.os_error)})"
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientOSError):
        reason = "the connection broke before the answer was complete"
    except aiohttp.ClientResponseError as exc:
        reason = f"not a valid HTTP answer ({_one_line(str(exc.message))})"
    except aiohttp.InvalidURL as exc:
        reason = f"not a valid address ({_short(exc)})"
    except aiohttp.ClientError as exc:
        reason = f"{type(exc).__name__}: {_short(exc)}"
    except _Failure as exc:
        reason = str(exc)
    else:
        return _timed(result, started)
    return FetchResult(request, "error", error=reason, elapsed=time.perf_counter() - started)


async def _get(
    session: aiohttp.ClientSession, request: FetchRequest, cfg: FetchConfig
) -> FetchResult:
    url = request.url
    visited = [url]
    conditional = {}
    if request.etag:
        conditional["If-None-Match"] = request.etag
    if request.last_modified:
        conditional["If-Modified-Since"] = request.last_modified
    while True:
        async with session.get(url, headers=conditional, allow_redirects=False) as response:
            status = response.status
            location = response.headers.get("location")
            if status in (301, 302, 303, 307, 308) and location:
                url = _next_hop(url, location, visited, cfg.max_redirects)
                continue
            if status == 304:
                return FetchResult(request, "not_modified", http_status=304, final_url=url)
            if status < 200 or status >= 300:
                raise _Failure(f"HTTP {status} {response.reason or ''}".strip())
            body = await _read_capped(response, cfg.max_bytes)
            return FetchResult(
                request,
                "ok",
                body=body,
                http_status=status,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                content_type=response.headers.get("content-type"),
                final_url=url,
            )


def _next_hop(url: str, location: str, visited: list[str], max_redirects: int) -> str:
    target = urljoin(url, location.strip())
    scheme = urlsplit(target).scheme.lower()
    if scheme not in ("http", "https"):
        raise _Failure(f"redirected to a non-HTTP address ({target[:80]})")
    if target in visited:
        raise _Failure(f"redirect loop ({' -> '.join(visited[-2:])} -> {target})"[:300])
    if len(visited) > max_redirects:
        raise _Failure(f"more than {max_redirects} redirects")
    visited.append(target)
    return target


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """Read at most `max_bytes` of DECODED body. gzip is inflated here, `max_length` at a
    time: a client inflating a whole network chunk at once turns 64 KB of a bomb into 64 MB.
    A Content-Length over the cap is refused before reading; a lie the other way is caught
    while reading."""
    import zlib

    too_big = f"larger than the {_megabytes(max_bytes)} limit ([fetch] max_bytes)"
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
        raise _Failure(f"unsupported Content-Encoding {encoding[:40]!r}")
    inflate = None if encoding in ("identity", "") else zlib.decompressobj(wbits=47)
    if declared.isdigit() and int(declared) > max_bytes and inflate is None:
        raise _Failure(f"{too_big}: announces {_megabytes(int(declared))}")
    body = bytearray()
    async for raw in response.content.iter_any():
        if inflate is None:
            body += raw
        else:
            pending = raw
            while pending and len(body) <= max_bytes:
                try:
                    body += inflate.decompress(pending, max_bytes + 1 - len(body))
                except zlib.error:
                    raise _Failure("the compressed response is corrupt") from None
                pending = inflate.unconsumed_tail
        if len(body) > max_bytes:
            raise _Failure(too_big + ("" if inflate is None else " once decompressed"))
    return bytes(body)


def _timed(result: FetchResult, started: float) -> FetchResult:
    from dataclasses import replace

    return replace(result, elapsed=time.perf_counter() - started)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.3g} MB"


def _os_reason(error: OSError) -> str:
    """ "Connection refused", "Name or service not known": what the system says, no errno."""
    if error.errno and error.errno > 0:
        return os.strerror(error.errno)
    return error.strerror or _short(error)


def _short(exc: BaseException) -> str:
    return _one_line(str(exc)) or type(exc).__name__


def _one_line(text: str) -> str:
    return " ".join(text.split())[:160]
