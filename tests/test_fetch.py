"""Fetching against a real server on 127.0.0.1: limits, faults, conditional GET."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from recapmail.config import FetchConfig
from recapmail.sources.fetch import FetchRequest, FetchResult, fetch_all, fetch_one
from recapmail.sources.wire import trusted_certificates, wire_url
from tests.conftest import make_certificate
from tests.feedserver import FeedServer, feed_server, gzip_bomb, make_items, rss_feed

__all__ = ["feed_server"]
FAST = FetchConfig(timeout=1.0, deadline=2.0, concurrency=8, max_bytes=2_000_000)


def get(server: FeedServer, path: str, cfg: FetchConfig = FAST) -> FetchResult:
    return fetch_one(server.url(path), cfg)


def test_ok_with_validators_gzip_and_user_agent(feed_server: FeedServer) -> None:
    body = rss_feed(make_items(20))
    feed_server.add("/feeds/a.xml", body, gzip=True)
    result = get(feed_server, "/feeds/a.xml")
    assert result.status == "ok" and result.http_status == 200
    assert result.body == body
    assert result.etag and result.last_modified == "Wed, 18 Nov 2026 10:00:00 GMT"
    hit = feed_server.hits_for("/feeds/a.xml")[0]
    assert hit.sent < len(body) / 3  # it went gzipped on the wire
    assert hit.headers["User-Agent"].startswith("recapmail/")
    assert "gzip" in hit.headers["Accept-Encoding"]


def test_conditional_get_answers_304(feed_server: FeedServer) -> None:
    url = feed_server.add("/feeds/a.xml", rss_feed(make_items(5)))
    first = fetch_one(url, FAST)
    again = fetch_all([FetchRequest(url, "a", etag=first.etag)], FAST)[0]
    assert again.status == "not_modified" and again.body == b""
    by_date = fetch_all([FetchRequest(url, "a", last_modified=first.last_modified)], FAST)[0]
    assert by_date.status == "not_modified"
    assert feed_server.hits_for("/feeds/a.xml")[1].headers["If-None-Match"] == first.etag


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/status/500", "HTTP 500 Internal Server Error"),
        ("/nothing-here", "HTTP 404 Not Found"),
        ("/slow/3", "timed out (no data for 1 s)"),
        ("/trickle", "no complete answer within 2 s"),
        ("/loop/a", "redirect loop"),
        ("/chain/9", "more than 5 redirects"),
        ("/to-file", "redirected to a non-HTTP address (file:///etc/passwd)"),
        ("/huge", "larger than the 2 MB limit ([fetch] max_bytes): announces 50 MB"),
        ("/huge/unannounced", "larger than the 2 MB limit ([fetch] max_bytes)"),
        ("/bomb", "larger than the 2 MB limit ([fetch] max_bytes) once decompressed"),
        ("/lie", "the connection broke"),
        ("/burst-then-stall", "timed out (no data for 1 s)"),
        ("/to-bad-address", "redirected to an invalid address (http://[oops/x)"),
        ("/to-accented/user", "cannot connect (Connection refused)"),  # to 127.0.0.1:9
        ("/big-error", "HTTP 404 Not Found"),  # not "larger than the limit": never read
    ],
)
def test_faults_become_one_line_reasons(feed_server: FeedServer, path: str, reason: str) -> None:
    gzip_bomb()  # built once, before the clock starts
    started = time.perf_counter()
    result = get(feed_server, path)
    assert result.status == "error"
    assert result.error is not None and result.error.startswith(reason)
    assert "\n" not in result.error
    assert time.perf_counter() - started < FAST.deadline + 1


def test_redirects_are_followed_up_to_the_cap(feed_server: FeedServer) -> None:
    feed_server.add("/feeds/chained.xml", rss_feed(make_items(1)))
    result = get(feed_server, "/chain/4")
    assert result.status == "ok"
    assert result.final_url == result.moved_to == feed_server.url("/feeds/chained.xml")
    feed_server.add("/feeds/a.xml", rss_feed(make_items(1)))
    for_now = get(feed_server, "/moved-for-now/feeds/a.xml")  # a 302, then the 301s
    assert for_now.status == "ok" and for_now.final_url == feed_server.url("/feeds/a.xml")
    assert for_now.moved_to is None


def test_connection_refused() -> None:
    result = fetch_one("http://127.0.0.1:9/feed.xml", FAST)
    assert result.status == "error" and result.error and result.error.startswith("cannot connect")


def test_concurrency_is_bounded_and_used() -> None:
    with FeedServer(delay=0.2) as server:
        for i in range(16):
            server.add(f"/feeds/{i}.xml", rss_feed(make_items(2)))
        requests = [FetchRequest(server.url(f"/feeds/{i}.xml"), str(i)) for i in range(16)]
        results = fetch_all(requests, FetchConfig(concurrency=8))
    assert [r.status for r in results] == ["ok"] * 16
    assert [r.request.name for r in results] == [str(i) for i in range(16)]  # request order
    # Each answer takes 0.2 s: the server saw requests overlap, never more than 8 at once.
    assert 2 <= server.most_in_flight <= 8


def test_results_are_reported_as_they_arrive(feed_server: FeedServer) -> None:
    feed_server.add("/feeds/a.xml", rss_feed(make_items(1)))
    seen: list[str] = []
    fetch_all(
        [FetchRequest(feed_server.url("/slow/0.5"), "slow"),
         FetchRequest(feed_server.url("/feeds/a.xml"), "quick")],
        FAST,
        on_result=lambda r: seen.append(r.request.name),
    )  # fmt: skip
    assert seen == ["quick", "slow"]


def test_a_failing_callback_stops_the_fetching() -> None:
    with FeedServer(delay=0.2) as server:
        for i in range(20):
            server.add(f"/feeds/{i}.xml", rss_feed(make_items(1)))
        requests = [FetchRequest(server.url(f"/feeds/{i}.xml"), str(i)) for i in range(20)]

        def fail(result: FetchResult) -> None:
            raise RuntimeError(f"cannot use {result.request.name}")

        with pytest.raises(RuntimeError, match="cannot use"):
            fetch_all(requests, FetchConfig(concurrency=2), on_result=fail)
        assert len(server.hits) < 8  # two by two, the 20 URLs would all have been asked


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[FeedServer]:
    with FeedServer(tls=certificate) as server:
        yield server


def test_https_checks_the_certificate_against_the_trusted_ones(
    tls_server: FeedServer,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    body = rss_feed(make_items(3))
    url = tls_server.add("/feeds/a.xml", body, gzip=True)
    assert url.startswith("https://127.0.0.1:")
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # as a company's own CA would be
    trusted = fetch_one(url, FAST)
    assert trusted.status == "ok" and trusted.body == body
    other, _ = make_certificate(tmp_path)  # a store that trusts another server only
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    refused = fetch_one(url, FAST)
    assert refused.status == "error" and refused.error is not None
    assert refused.error.startswith("TLS certificate not trusted (")
    assert len(tls_server.hits) == 1  # the untrusted server was never sent the request


def test_an_answer_that_is_not_http_is_named(feed_server: FeedServer) -> None:
    result = get(feed_server, "/not-http")
    assert result.status == "error" and result.error is not None
    assert result.error.startswith("not a valid HTTP answer")


@pytest.mark.slow
def test_the_deadline_runs_from_when_a_url_is_asked_not_from_the_start() -> None:
    with FeedServer(delay=0.4) as server:
        for i in range(4):
            server.add(f"/feeds/{i}.xml", rss_feed(make_items(1)))
        requests = [FetchRequest(server.url(f"/feeds/{i}.xml"), str(i)) for i in range(4)]
        results = fetch_all(requests, FetchConfig(concurrency=1, deadline=1.0))
    assert [r.status for r in results] == ["ok"] * 4  # 1.6 s in all, 0.4 s each


def test_addresses_with_accents_go_out_encoded(feed_server: FeedServer) -> None:
    body = rss_feed(make_items(1))
    feed_server.add("/actualit%C3%A9s/flux%20rss.xml", body)
    result = fetch_one(feed_server.url("/actualités/flux rss.xml"), FAST)
    assert result.status == "ok" and result.body == body
    assert wire_url("https://exämple.fr/été?q=é#à") == (
        "https://xn--exmple-cua.fr/%C3%A9t%C3%A9?q=%C3%A9#%C3%A0"
    )
    assert wire_url("https://example.org/a%20b?x=1&y=2") == "https://example.org/a%20b?x=1&y=2"


def test_the_proxy_named_by_the_environment_is_used(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = rss_feed(make_items(2))
    feed_server.add("/feeds/a.xml", body)
    monkeypatch.setenv("http_proxy", feed_server.base)  # the server plays the proxy
    result = fetch_one("http://news.example.invalid/feeds/a.xml", FAST)  # never resolved here
    assert result.status == "ok" and result.body == body
    assert feed_server.hits_for("/feeds/a.xml")[0].headers["Host"] == "news.example.invalid"
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # a proxy that is down...
    down = fetch_one(feed_server.url("/feeds/a.xml"), FAST)
    assert down.error == "cannot connect to the proxy (Connection refused)"
    monkeypatch.setenv("no_proxy", "127.0.0.1")  # ...and not used for this host
    assert fetch_one(feed_server.url("/feeds/a.xml"), FAST).status == "ok"
    monkeypatch.setenv("https_proxy", feed_server.base)  # it answers CONNECT with a 501
    tunnel = fetch_one("https://news.example.invalid/feeds/a.xml", FAST)
    assert tunnel.error == "the proxy refused to connect to it (HTTP 501)"


def test_the_trusted_authorities_are_the_system_s_else_certifi_s(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    import pycurl

    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    assert trusted_certificates() == [(pycurl.CAINFO, str(certificate[0])),
                                       (pycurl.CAPATH, str(tmp_path))]  # fmt: skip
    certifi = pytest.importorskip("certifi")
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "none.pem"))  # as on a bare system
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "none"))
    assert trusted_certificates() == [(pycurl.CAINFO, certifi.where())]


def test_a_location_in_utf8_is_followed_as_browsers_do(feed_server: FeedServer) -> None:
    body = rss_feed(make_items(1))
    feed_server.add("/feeds/f%C3%A9e.xml", body)
    result = get(feed_server, "/to-accented")
    assert result.status == "ok" and result.body == body


def test_a_redirect_with_a_big_body_is_followed_without_reading_it(
    feed_server: FeedServer,
) -> None:
    feed_server.add("/feeds/chained.xml", rss_feed(make_items(1)))
    result = get(feed_server, "/big-error/redirect")  # 3 MB, over FAST's 2 MB cap
    assert result.status == "ok" and result.final_url == feed_server.url("/feeds/chained.xml")


def test_trailers_do_not_replace_the_headers(feed_server: FeedServer) -> None:
    result = get(feed_server, "/trailers")
    assert result.status == "ok" and result.body == rss_feed(make_items(1))
    assert result.etag == '"real"' and result.content_type == "application/rss+xml"


def test_validators_go_back_byte_for_byte(feed_server: FeedServer) -> None:
    first = get(feed_server, "/odd-etag")
    assert first.status == "ok" and first.etag is not None
    again = fetch_all([FetchRequest(feed_server.url("/odd-etag"), "a", etag=first.etag)], FAST)
    assert again[0].status == "not_modified"


def test_userinfo_is_encoded_whole() -> None:
    assert wire_url("http://us@ér:p w@127.0.0.1/feed") == (
        "http://us%40%C3%A9r:p%20w@127.0.0.1/feed"
    )


@pytest.mark.slow
def test_the_read_timeout_runs_once_connected(certificate: tuple[Path, Path]) -> None:
    """A slow TLS handshake (within the connect timeout) then a prompt answer is no stall."""
    import socket
    import ssl
    import threading

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    body = rss_feed(make_items(1))
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        raw, _ = listener.accept()
        time.sleep(0.7)  # the handshake starts late
        with context.wrap_socket(raw, server_side=True) as conn:
            while b"\r\n\r\n" not in conn.recv(4096):
                pass
            time.sleep(0.5)  # then the answer, 1.2 s after connecting began
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    threading.Thread(target=serve, daemon=True).start()
    url = f"https://127.0.0.1:{listener.getsockname()[1]}/feed"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SSL_CERT_FILE", str(certificate[0]))
        result = fetch_one(url, FetchConfig(timeout=1.0, deadline=5.0))
    listener.close()
    assert result.status == "ok" and result.body == body
