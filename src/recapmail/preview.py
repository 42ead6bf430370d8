"""`recapmail preview`: a local web page showing the digests of an output folder, live.

The server binds 127.0.0.1 only, serves nothing but generated pages and the files of the output
folder, rejects requests whose Host is not itself (a web page cannot reach it by DNS rebinding),
and tells open pages through Server-Sent Events when a digest was rendered again.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import mimetypes
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from recapmail.errors import RecapmailError
from recapmail.preview_page import views
from recapmail.preview_page.editions import list_editions, read_edition, read_posts
from recapmail.preview_page.watch import Live
from recapmail.state import State, peek_published

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
_KEEPALIVE = 15.0  # seconds between SSE comments, so a dead browser tab is noticed
_TYPES = {".txt": "text/plain; charset=utf-8", ".eml": "text/plain; charset=utf-8",
          ".mjml": "text/plain; charset=utf-8", ".json": "application/json; charset=utf-8",
          ".html": "text/html; charset=utf-8"}  # fmt: skip
# The newsletter runs no script in the preview, as in a mail client.
_FILE_CSP = "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
_PAGE_CSP = (
    "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src 'self' https: http: data:; frame-src 'self'; object-src 'none'; base-uri 'none'"
)


def serve(
    out_dir: Path,
    *,
    config_path: Path | None,
    port: int | None,
    open_browser: bool,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the preview until Ctrl-C; `ready(url)` is called once it listens."""
    server = PreviewServer(out_dir, config_path=config_path, port=port)
    url = server.start()
    try:
        if ready is not None:
            ready(url)
        if open_browser:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        server.wait()
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a preview ends: a clean stop, not an error
    finally:
        server.stop()


class PreviewServer:
    """The preview in background threads: start() returns the URL, stop() ends everything."""

    def __init__(
        self,
        out_dir: Path,
        *,
        config_path: Path | None = None,
        port: int | None = None,
        interval: float = 0.25,
    ) -> None:
        self.out_dir = out_dir.resolve()
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise RecapmailError(f"{out_dir}: not a folder; give the folder holding the digests")
        if config_path is not None:
            from recapmail.config import find_config

            find_config(config_path)  # a mistyped --config fails now; a broken one shows live
        self.live = Live(self.out_dir, config_path, interval)
        try:
            self.httpd = _Server((HOST, port or 0), _Handler, self)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise RecapmailError(
                    f"port {port} is already in use; choose another with --port or leave it out"
                ) from None
            raise RecapmailError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from None
        self.port = int(self.httpd.server_address[1])
        self.url = f"http://{HOST}:{self.port}/"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.1,), name="recapmail-http"
        )
        self._done = threading.Event()

    def start(self) -> str:
        self.live.start()
        self._thread.start()
        return self.url

    def wait(self) -> None:
        """Block until stop(); wakes up regularly so Ctrl-C is seen at once."""
        while not self._done.wait(0.5):
            pass

    def stop(self) -> None:
        if self._done.is_set():
            return
        self._done.set()
        self.live.stop()  # wakes every open event stream, which then ends
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> PreviewServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # two previews on one --port must fail, not share it

    def __init__(self, address: tuple[str, int], handler: Any, preview: PreviewServer) -> None:
        self.preview = preview
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a tab closed mid-request: nothing to report
        log.exception("preview: a request failed")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("preview: " + format, *args)

    # -- routing -------------------------------------------------------------------------------

    def do_GET(self) -> None:
        if not self._host_ok():
            self._send(HTTPStatus.FORBIDDEN, b"Forbidden host\n", "text/plain; charset=utf-8")
            return
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = parse_qs(url.query)
        if path == "/":
            self._index()
        elif path == "/events":
            self._events(query)
        elif path.startswith("/d/") and path.endswith("/") and path.count("/") == 3:
            self._digest(path[3:-1])
        elif path.startswith("/files/"):
            self._file(path[len("/files/") :], dark=query.get("scheme") == ["dark"])
        elif path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
        else:
            self._not_found()

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").lower()
        port = self.server.preview.port
        return host in (f"{HOST}:{port}", f"localhost:{port}")

    @property
    def preview(self) -> PreviewServer:
        return self.server.preview

    # -- pages ---------------------------------------------------------------------------------

    def _index(self) -> None:
        live = self.preview.live
        version = live.version
        cfg = live.config
        published = peek_published(State.location(cfg.state_path)) if cfg is not None else {}
        page = views.index_page(
            list_editions(self.preview.out_dir), self.preview.out_dir, version,
            live.error_for(None), published, cfg.newsletter.web_url if cfg is not None else "",
        )  # fmt: skip
        self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8", csp=_PAGE_CSP)

    def _digest(self, name: str) -> None:
        folder = self._edition_folder(name)
        if folder is None:
            self._not_found()
            return
        live = self.preview.live
        live.ensure_fresh(name)
        version = live.version
        mastodon_limit = live.config.social.mastodon_limit if live.config else None
        page = views.digest_page(
            read_edition(folder),
            read_posts(folder, mastodon_limit),
            _read_text(folder / "newsletter.txt"),
            version,
            live.error_for(name),
        )
        self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8", csp=_PAGE_CSP)

    def _edition_folder(self, name: str) -> Path | None:
        if not name or name.startswith(".") or "/" in name or "\\" in name:
            return None
        folder = self.preview.out_dir / name
        return folder if folder.is_dir() and not folder.is_symlink() else None

    def _file(self, relative: str, *, dark: bool) -> None:
        target = self._output_file(relative)
        if target is None:
            self._not_found()
            return
        try:
            data = target.read_bytes()
        except OSError:
            self._not_found()
            return
        kind = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
        if dark and target.suffix == ".html":
            data = views.dark_variant(data.decode("utf-8", "replace")).encode()
        self._send(HTTPStatus.OK, data, kind or "application/octet-stream", csp=_FILE_CSP)

    def _output_file(self, relative: str) -> Path | None:
        """A file inside the output folder, or None: no '..', no hidden part, no symlink out."""
        parts = relative.split("/")
        if not relative or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            return None
        if "\\" in relative or "\x00" in relative:
            return None
        root = self.preview.out_dir
        target = root.joinpath(*parts).resolve()
        if root not in target.parents or not target.is_file():
            return None
        return target

    # -- live updates --------------------------------------------------------------------------

    def _events(self, query: dict[str, list[str]]) -> None:
        """One Server-Sent Events stream: a `change` event each time the version grows."""
        live = self.preview.live
        try:
            since = int(query.get("since", ["0"])[0])
        except ValueError:
            since = 0
        digest = query.get("digest", [""])[0] or None
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        live.viewing(digest, +1)
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            while not live.stopped:
                version = live.wait(since, _KEEPALIVE)
                if live.stopped:
                    break
                if version > since:
                    since = version
                    payload = views.error_json(version, live.error_for(digest))
                    self.wfile.write(f"event: change\ndata: {payload}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the tab was closed or reloaded
        finally:
            live.viewing(digest, -1)

    # -- responses -----------------------------------------------------------------------------

    def _not_found(self) -> None:
        self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, kind: str, *, csp: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if csp:
            self.send_header("Content-Security-Policy", csp)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


def _read_text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
