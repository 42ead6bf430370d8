"""`recapmail preview`: the server, the folders it lists, what it refuses, its live updates."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from recapmail.errors import RecapmailError
from recapmail.model import Post
from recapmail.preview import PreviewServer
from recapmail.preview_page.editions import list_editions, preheader, read_posts, split_posts
from recapmail.preview_page.views import dark_variant, linkedin_fold
from recapmail.render.counting import count
from recapmail.render.social import post_files

NEWSLETTER_MJML = """<mjml lang="fr">
  <mj-head>
    <mj-preview>{preheader}{padding}</mj-preview>
    <mj-attributes><mj-all font-family="Arial, Helvetica, sans-serif" /></mj-attributes>
    <mj-raw><meta name="color-scheme" content="light dark"></mj-raw>
    <mj-style>
      .card {{ background: #ffffff; }}
      @media (prefers-color-scheme: dark) {{
        .card, .card div {{ background: #10151c !important; color: #e8edf2 !important; }}
      }}
    </mj-style>
  </mj-head>
  <mj-body background-color="#eef1f5">
    <mj-section css-class="card">
      <mj-column><mj-text><h1 id="headline">{headline}</h1></mj-text></mj-column>
    </mj-section>
    <mj-section css-class="card">
      <mj-column>
        <mj-text><p id="left">Colonne gauche : 1 200 participants.</p></mj-text>
      </mj-column>
      <mj-column>
        <mj-text><p id="right">Right column, read on a desktop beside the left.</p></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
"""

POSTS = {
    "linkedin": (
        "Journées OpenInfra Lyon : 1 200 participants et trois annonces qui comptent pour vos "
        "clouds privés.\n\nOpenStack reste le socle de la souveraineté numérique : retour sur deux "
        "jours d'échanges.\n\n• Kubernetes sur OpenStack, en production\n"
        "• Migration depuis VMware\n\n"
        "https://www.example.org/recaps/journees-openinfra-lyon\n\n#OpenStack #CloudOuvert #Lyon"
    ),
    "mastodon": (
        "Journées OpenInfra Lyon : 1 200 participants 🎉 https://www.example.org/recaps/"
        "journees-openinfra-lyon-2026-retour-complet #OpenStack"
    ),
    "bluesky": "OpenInfra Lyon, 1 200 participants 🇫🇷 https://www.example.org/recaps/lyon-2026-complet",
}


def write_edition(
    out: Path,
    name: str,
    *,
    label: str | None = None,
    start: str = "2026-11-15T23:00:00+00:00",
    end: str = "2026-11-22T23:00:00+00:00",
    subject: str = "La veille infra ouverte – semaine du 16 au 22 novembre",
    headline: str = "Journées OpenInfra Lyon",
    preheader_text: str = "1 200 participants à Lyon, KubeCon et un atelier Proxmox",
    posts: dict[str, str] | None = None,
) -> Path:
    """A small digest folder as `recapmail digest` writes it, its newsletter compiled by MJML."""
    from mjml import mjml2html

    folder = out / name
    (folder / "social").mkdir(parents=True, exist_ok=True)
    mjml = NEWSLETTER_MJML.format(
        preheader=preheader_text, padding="\u034f\u00a0" * 20, headline=headline
    )
    html = mjml2html(mjml)
    text = f"{headline}\n\nColonne gauche : 1 200 participants.\n"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "Équipe infrastructure ouverte <veille@example.org>"
    message["To"] = "clients@example.org"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    files = {
        "newsletter.html": html,
        "newsletter.txt": text,
        "newsletter.mjml": mjml,
        "newsletter.eml": message.as_string(),
    }
    for platform, post in (POSTS if posts is None else posts).items():
        files[f"social/{platform}.txt"] = post + "\n"
    digest = {
        "period": {"label": label or name, "start": start, "end": end, "timezone": "Europe/Paris"},
        "title": "La veille infra ouverte",
        "language": "fr",
        "generated_at": "2026-11-23T07:00:00+00:00",
        "items": [{"title": headline, "shown": True}, {"title": "Autre", "shown": False}],
        "clusters": [],
        "warnings": [],
        "files": sorted([*files, "digest.json"]),
    }
    files["digest.json"] = json.dumps(digest, ensure_ascii=False, indent=2)
    for relative, content in files.items():
        (folder / relative).write_text(content, encoding="utf-8")
    return folder


W46 = ("2026-11-08T23:00:00+00:00", "2026-11-15T23:00:00+00:00")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    write_edition(out, "2026-W46", start=W46[0], end=W46[1], subject="Semaine 46")
    write_edition(out, "2026-W47")
    write_edition(
        out,
        "2026-11-20-atelier-proxmox",
        label="2026-11-20_2026-11-20",
        start="2026-11-19T23:00:00+00:00",
        end="2026-11-20T23:00:00+00:00",
        subject="Édition spéciale : atelier Proxmox",
    )
    write_edition(out, ".tmp-2026-W48-abc", subject="half written")
    return out


@pytest.fixture
def server(out: Path) -> Iterator[PreviewServer]:
    with PreviewServer(out, interval=0.05) as running:
        yield running


def get(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def raw_get(server: PreviewServer, path: str, host: str | None = None) -> int:
    """A request with the path sent as is (urllib would normalise '..')."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host or f"127.0.0.1:{server.port}")
    conn.endheaders()
    status = conn.getresponse().status
    conn.close()
    return status


# -- the folders ------------------------------------------------------------------------------


def test_lists_digests_newest_first_without_temporary_folders(out: Path) -> None:
    names = [e.name for e in list_editions(out)]
    assert names == ["2026-W47", "2026-11-20-atelier-proxmox", "2026-W46"]


def test_reads_subject_and_preheader_as_an_inbox_shows_them(out: Path) -> None:
    edition = {e.name: e for e in list_editions(out)}["2026-W47"]
    assert edition.subject == "La veille infra ouverte – semaine du 16 au 22 novembre"
    assert edition.preheader == "1 200 participants à Lyon, KubeCon et un atelier Proxmox"
    assert edition.sender == "Équipe infrastructure ouverte"
    assert edition.weekly
    assert not {e.name: e for e in list_editions(out)}["2026-11-20-atelier-proxmox"].weekly


def test_preheader_is_the_hidden_div_mjml_writes() -> None:
    from mjml import mjml2html

    html = mjml2html(
        "<mjml><mj-head><mj-preview>Trois annonces &amp; un atelier</mj-preview></mj-head>"
        "<mj-body><mj-section><mj-column><mj-text>Corps visible</mj-text></mj-column>"
        "</mj-section></mj-body></mjml>"
    )
    assert preheader(html) == "Trois annonces & un atelier"
    assert preheader("<html><body><div>Pas de preview</div></body></html>") == ""


def test_linkedin_fold_falls_after_three_lines_or_about_210_characters() -> None:
    assert linkedin_fold("Court.\n\nDeux lignes.") is None
    assert linkedin_fold("Une.\n\nTrois.\nQuatre.") == len("Une.\n\nTrois.")
    long = "mot " * 100
    cut = linkedin_fold(long)
    assert cut is not None and 150 < cut <= 210 and long[cut] == " "


def test_dark_variant_puts_dark_queries_in_force() -> None:
    html = (
        "<head><style>@media (prefers-color-scheme: dark) { a {} } "
        "@media (prefers-color-scheme:light) { b {} }</style></head>"
    )
    dark = dark_variant(html)
    assert "prefers-color-scheme" not in dark
    assert "@media (min-width: 0px) { a {} }" in dark
    assert "@media (max-width: 0px) { b {} }" in dark
    assert "color-scheme:dark}</style></head>" in dark


def test_a_post_file_without_separator_is_one_post() -> None:
    text = "Une ligne.\n\n─────\nPas un séparateur de fil.\n"
    assert split_posts(text) == [("", text.rstrip("\n"))]


def test_reads_back_each_part_of_a_thread_as_written(tmp_path: Path) -> None:
    texts = ["Premier message du fil 🧵 1/3", "Deuxième : https://example.org/a 2/3", "Fin. 3/3"]
    thread = [
        Post("recap.md", "mastodon", "fr", t, count(t, "mastodon"), 500, part=i, parts=3)
        for i, t in enumerate(texts, 1)
    ]
    single = Post("recap.md", "bluesky", "fr", "Un seul post.", 13, 300)
    for name, content in post_files([*thread, single]).items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    posts = read_posts(tmp_path, mastodon_limit=500)
    assert [(p.platform, p.part, p.parts, p.label, p.text) for p in posts] == [
        *[("mastodon", i, 3, f"{i}/3", t) for i, t in enumerate(texts, 1)],
        ("bluesky", 1, 1, "", "Un seul post."),
    ]
    assert [p.count for p in posts] == [p.count for p in [*thread, single]]


# -- the server -------------------------------------------------------------------------------


def test_binds_loopback_on_a_free_port(server: PreviewServer) -> None:
    assert server.httpd.server_address[0] == "127.0.0.1"
    assert server.url == f"http://127.0.0.1:{server.port}/"
    assert server.port > 0


def test_index_page_lists_the_digests(server: PreviewServer) -> None:
    status, page, headers = get(server.url)
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert (
        page.index("2026-W47") < page.index("2026-11-20-atelier-proxmox") < page.index("2026-W46")
    )
    assert ".tmp-" not in page and "half written" not in page
    assert "Édition spéciale : atelier Proxmox" in page


def test_digest_page_shows_posts_counted_like_the_cli(server: PreviewServer) -> None:
    status, page, _ = get(server.url + "d/2026-W47/")
    assert status == 200
    for platform, text in POSTS.items():
        limit = {"linkedin": 3000, "mastodon": 500, "bluesky": 300}[platform]
        assert f"{count(text, platform)} / {limit}" in page  # type: ignore[arg-type]
    assert "…see more" in page
    assert 'id="subject">La veille infra ouverte – semaine du 16 au 22 novembre<' in page


def test_serves_output_files_only(server: PreviewServer, out: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    (out / "2026-W47" / "leak").symlink_to(tmp_path / "secret.txt")
    status, body, headers = get(server.url + "files/2026-W47/social/mastodon.txt")
    assert status == 200 and body == POSTS["mastodon"] + "\n"
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "script-src 'none'" in headers["Content-Security-Policy"]
    for path in (
        "/files/2026-W47/../../secret.txt",
        "/files/%2e%2e/secret.txt",
        "/files/2026-W47/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/files/2026-W47/leak",
        "/files/.tmp-2026-W48-abc/newsletter.html",
        "/files/2026-W47/..%5c..%5csecret.txt",
        "/files/" + str(tmp_path / "secret.txt"),
        "/d/../",
        "/d/.tmp-2026-W48-abc/",
        "/nothing",
    ):
        assert raw_get(server, path) == 404, path


def test_refuses_other_host_names(server: PreviewServer) -> None:
    assert raw_get(server, "/", host="evil.example:80") == 403
    assert raw_get(server, "/", host=f"localhost:{server.port}") == 200


def test_a_taken_port_is_a_clear_error(server: PreviewServer, out: Path) -> None:
    with pytest.raises(RecapmailError, match=rf"port {server.port} is already in use"):
        PreviewServer(out, port=server.port)


def test_a_missing_config_or_folder_is_a_clear_error(out: Path, tmp_path: Path) -> None:
    with pytest.raises(RecapmailError, match=r"nope\.toml: no such config file"):
        PreviewServer(out, config_path=tmp_path / "nope.toml")
    with pytest.raises(RecapmailError, match=r"not a folder"):
        PreviewServer(out / "2026-W47" / "digest.json")


def test_pages_hear_of_a_new_digest(server: PreviewServer, out: Path) -> None:
    since = server.live.version
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", f"/events?since={since}")
    response = conn.getresponse()
    assert response.getheader("Content-Type").startswith("text/event-stream")
    assert response.readline() == b"retry: 1000\n"
    write_edition(
        out, "2026-W48", start="2026-11-22T23:00:00+00:00", end="2026-11-29T23:00:00+00:00"
    )
    lines = [response.readline() for _ in range(3)]
    conn.close()
    assert lines[1] == b"event: change\n"
    event = json.loads(lines[2].removeprefix(b"data: "))
    assert event["version"] > since and event["error"] is None


def test_ctrl_c_stops_the_server_cleanly(out: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from recapmail.preview import serve\n"
        "serve(Path(sys.argv[1]), config_path=None, port=None, open_browser=False,"
        " ready=lambda url: print(url, flush=True))\n"
        "print('stopped', flush=True)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(out)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        events = urllib.request.urlopen(url + "events?since=0", timeout=10)  # an open stream
        assert get(url)[0] == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout.read().strip() == "stopped"
        events.close()
        with pytest.raises(OSError):
            urllib.request.urlopen(url, timeout=2)
    finally:
        proc.kill()
        proc.wait()


# -- rendering again ----------------------------------------------------------------------------

LIVE_CONFIG = """[newsletter]
title = "Veille de test"
timezone = "Europe/Paris"

[[sources]]
name = "Comptes rendus"
path = "articles"
"""


def article(title: str) -> str:
    return (
        f'---\ntitle: "{title}"\ndate: 2026-11-18\nlang: fr\n---\n\n'
        "L'équipe a animé un atelier Proxmox VE devant 40 participants à Nantes.\n\n"
        "La migration depuis VMware a occupé toute la matinée.\n"
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A config with one local recap, and its 2026-W47 digest already made."""
    from recapmail.config import load_config
    from recapmail.period import week_period
    from recapmail.pipeline import run_digest

    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "atelier.md").write_text(article("Atelier Proxmox à Nantes"))
    (tmp_path / "feeds.toml").write_text(LIVE_CONFIG)
    cfg = load_config(tmp_path / "feeds.toml")
    run_digest(cfg, week_period("2026-W47", "Europe/Paris"), tmp_path / "out", offline=True)
    return tmp_path


def touch_later(path: Path, text: str) -> None:
    """Write so that the mtime surely differs, even on a coarse-grained file system."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_an_edited_article_renders_the_viewed_digest_again(project: Path) -> None:
    from recapmail.preview_page.watch import Live

    live = Live(project / "out", project / "feeds.toml", interval=0.01)
    live.viewing("2026-W47", +1)
    version = live.version
    touch_later(project / "articles" / "atelier.md", article("Atelier Proxmox à Rennes"))
    live.poll()
    assert live.version > version
    assert live.error_for("2026-W47") is None
    assert (
        "Atelier Proxmox à Rennes" in (project / "out" / "2026-W47" / "newsletter.html").read_text()
    )


def test_a_digest_nobody_views_is_rendered_again_when_opened(project: Path) -> None:
    with PreviewServer(project / "out", config_path=project / "feeds.toml", interval=60) as server:
        touch_later(project / "articles" / "atelier.md", article("Atelier Proxmox à Lille"))
        server.live.poll()  # what the watcher does between two ticks; nobody views the digest
        html = project / "out" / "2026-W47" / "newsletter.html"
        assert "Lille" not in html.read_text()
        status, _, _ = get(server.url + "d/2026-W47/")
        assert status == 200 and "Lille" in html.read_text()


def test_a_broken_config_shows_on_every_page_and_the_fix_clears_it(project: Path) -> None:
    with PreviewServer(project / "out", config_path=project / "feeds.toml", interval=60) as server:
        touch_later(project / "feeds.toml", LIVE_CONFIG + "\n[newsletter]\ntitel = 1\n")
        server.live.poll()
        status, page, _ = get(server.url)
        assert status == 200
        error = server.live.error_for(None)
        assert error is not None and "feeds.toml" in error
        assert 'id="error" role="alert"' in page  # shown, not hidden
        touch_later(project / "feeds.toml", LIVE_CONFIG)
        server.live.poll()
        assert server.live.error_for("2026-W47") is None
        assert 'id="error" hidden' in get(server.url + "d/2026-W47/")[1]


def test_post_text_cannot_break_out_of_the_page(tmp_path: Path) -> None:
    hostile = 'Fin </script><script>alert("x")</script> <img src=x onerror=alert(1)> & co'
    write_edition(tmp_path, "2026-W47", posts={"bluesky": hostile})
    with PreviewServer(tmp_path) as server:
        page = get(server.url + "d/2026-W47/")[1]
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; co" in page
    blob = page.split('<script type="application/json" id="post-texts">')[1].split("</script>")[0]
    assert json.loads(blob) == [hostile]


def test_an_unexpected_error_says_where_it_happened() -> None:
    from recapmail.preview_page.watch import describe

    try:
        {}["missing"]
    except KeyError as exc:
        message = describe(exc)
    assert message.startswith(f"{__file__}:") and message.endswith("KeyError: 'missing'")


def test_the_index_says_which_editions_went_out(project: Path) -> None:
    from typer.testing import CliRunner

    from recapmail.cli import app

    config = project / "feeds.toml"
    config.write_text(
        config.read_text().replace(
            'timezone = "Europe/Paris"',
            'timezone = "Europe/Paris"\nweb_url = "https://veille.example.org/lettre"',
        )
    )
    with PreviewServer(project / "out", config_path=config, interval=0.05) as running:
        assert "· draft" in get(running.url)[1]
        done = CliRunner().invoke(
            app, ["publish", str(project / "out" / "2026-W47"), "-c", str(config)]
        )
        assert done.exit_code == 0, done.stderr
        page = get(running.url)[1]
    assert "published " in page and "· draft" not in page
    assert 'href="https://veille.example.org/lettre/2026-W47/">on the archive' in page
