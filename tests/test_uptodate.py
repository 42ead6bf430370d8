"""A re-run with nothing new stops after the conditional GETs; a change remakes the edition."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recapmail.cli import app
from tests.feedserver import FeedServer, make_items, rss_feed

from .conftest import EXAMPLES

pytestmark = pytest.mark.slow  # real processes, servers and files: see pyproject's markers

runner = CliRunner()
START = datetime(2026, 11, 17, 9, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def workspace(tmp_path: Path, server: FeedServer, **route: object) -> Path:
    """Recaps in a folder, one feed over HTTP, a templates_dir: everything an edition reads."""
    shutil.copytree(EXAMPLES / "articles", tmp_path / "recaps")
    (tmp_path / "templates" / "email").mkdir(parents=True)
    url = server.add("/news.xml", rss_feed(make_items(4, start=START)), **route)
    config = tmp_path / "feeds.toml"
    config.write_text(
        '[newsletter]\ntitle = "Veille"\ntemplates_dir = "templates"\n\n'
        "[fetch]\nrecheck_after = 0\n\n"  # every run asks: what is tested is the 304 path
        '[[sources]]\nname = "Recaps"\npath = "recaps"\n\n'
        f'[[sources]]\nname = "News"\nurl = "{url}"\n',
        encoding="utf-8",
    )
    return config


def digest(config: Path, *extra: str, week: str = "2026-W47") -> str:
    out = config.parent / "out"
    args = ["digest", "-c", str(config), "--week", week, "--out", str(out), *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_nothing_changed_leaves_the_edition_as_it_is(tmp_path: Path, server: FeedServer) -> None:
    config = workspace(tmp_path, server)
    made = digest(config)
    assert made.startswith("Digest 2026-W47: 8 articles (8 shown), feeds: 1 downloaded")
    edition = tmp_path / "out" / "2026-W47"
    before = snapshot(edition)
    server.hits.clear()
    again = digest(config)
    assert again.startswith("Digest 2026-W47: up to date (8 articles, 8 shown, made ")
    assert "feeds: 0 downloaded, 1 unchanged" in again
    assert [h.status for h in server.hits] == [304]  # it still asked the feed
    assert snapshot(edition) == before  # not a byte rewritten, not even a time


def test_force_makes_it_again_with_the_same_bytes(tmp_path: Path, server: FeedServer) -> None:
    config = workspace(tmp_path, server)
    digest(config)
    before = snapshot(tmp_path / "out" / "2026-W47")
    forced = digest(config, "--force")
    assert forced.startswith("Digest 2026-W47: 8 articles (8 shown), feeds: 0 downloaded, 1 unch")
    after = snapshot(tmp_path / "out" / "2026-W47")
    # digest.json's generated_at moves, and .edition.json's made_at (and digest.json's hash)
    same = {name for name in before if name not in ("digest.json", ".edition.json")}
    assert {n: before[n][0] for n in same} == {n: after[n][0] for n in same}
    assert after["digest.json"][1] != before["digest.json"][1]


def touch_later(path: Path) -> None:
    """A change that size cannot see: same length, a later time (as an editor saving)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize(
    "change",
    [
        "new recap",
        "edited recap",
        "feed",
        "template",
        "config",
        "output deleted",
        "output edited",
    ],
)
def test_any_change_makes_the_edition_again(
    tmp_path: Path, server: FeedServer, change: str
) -> None:
    config = workspace(tmp_path, server)
    digest(config)
    edition = tmp_path / "out" / "2026-W47"
    recap = tmp_path / "recaps" / "kubecon-na-2026-notes.txt"
    if change == "new recap":
        (tmp_path / "recaps" / "late.md").write_text(
            "# Retour sur le meetup Ceph de Nantes\n\nTrois cents personnes ont parlé stockage "
            "distribué toute la soirée, avec deux retours d'expérience en production.\n",
            encoding="utf-8",
        )
    elif change == "edited recap":
        text = recap.read_text(encoding="utf-8")
        recap.write_text(text.replace("KubeCon", "Kubecon", 1), encoding="utf-8")
        touch_later(recap)
    elif change == "feed":
        server.add("/news.xml", rss_feed(make_items(5, start=START)))
    elif change == "template":
        (tmp_path / "templates" / "email" / "footer.mjml.j2").write_text(
            '{% extends "!default/email/footer.mjml.j2" %}\n', encoding="utf-8"
        )
    elif change == "config":
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace('"Veille"', '"Veille infra"'), encoding="utf-8")
    elif change == "output deleted":
        (edition / "social" / "bluesky.txt").unlink()
    elif change == "output edited":
        (edition / "newsletter.txt").write_text("hand-edited\n", encoding="utf-8")
    again = digest(config)
    assert "up to date" not in again
    assert again.startswith("Digest 2026-W47: ")
    assert (edition / "social" / "bluesky.txt").is_file()
    assert (edition / "newsletter.txt").read_text(encoding="utf-8") != "hand-edited\n"
    assert digest(config).startswith("Digest 2026-W47: up to date")  # and then it is


def test_a_same_body_without_validators_counts_as_unchanged(
    tmp_path: Path, server: FeedServer
) -> None:
    config = workspace(tmp_path, server, validators=False)
    digest(config)
    server.hits.clear()
    again = digest(config)
    assert [h.status for h in server.hits] == [200]
    assert again.startswith("Digest 2026-W47: up to date")
    assert "feeds: 0 downloaded, 1 unchanged" in again


def test_a_run_with_a_failed_source_is_never_up_to_date(tmp_path: Path, server: FeedServer) -> None:
    config = workspace(tmp_path, server)
    text = config.read_text(encoding="utf-8")
    broken = server.url("/status/500")
    config.write_text(text + f'\n[[sources]]\nname = "Down"\nurl = "{broken}"\n', encoding="utf-8")
    for _ in range(2):
        result = runner.invoke(
            app, ["digest", "-c", str(config), "--week", "2026-W47", "--out", str(tmp_path / "o")]
        )
        assert result.exit_code == 0
        assert "Down: HTTP 500" in result.stderr  # said again on every run
        assert "1 warning," in result.stdout and "up to date" not in result.stdout


def test_another_week_published_in_between_makes_it_again_once(
    tmp_path: Path, server: FeedServer
) -> None:
    """Making another week consumes nothing: the first edition stays up to date. Publishing
    it changes which items are free: the first edition is made again, then up to date."""
    config = workspace(tmp_path, server)
    first = digest(config)
    digest(config, week="2026-W48")
    assert digest(config).startswith("Digest 2026-W47: up to date")
    published = runner.invoke(app, ["publish", str(config.parent / "out" / "2026-W48")])
    assert published.exit_code == 0, published.stderr
    again = digest(config)
    assert "up to date" not in again
    assert again.split(" articles")[0] != first.split(" articles")[0]  # its recaps went out
    assert digest(config).startswith("Digest 2026-W47: up to date")


def test_offline_reruns_are_up_to_date_too(tmp_path: Path, server: FeedServer) -> None:
    config = workspace(tmp_path, server)
    digest(config)
    server.hits.clear()
    offline = digest(config, "--offline")
    assert offline.startswith("Digest 2026-W47: up to date")
    assert "feeds:" not in offline
    assert server.hits == []


def test_a_re_run_within_minutes_asks_nothing_unless_refresh(
    tmp_path: Path, server: FeedServer
) -> None:
    config = workspace(tmp_path, server)
    config.write_text(
        config.read_text(encoding="utf-8").replace("recheck_after = 0", "recheck_after = 15"),
        encoding="utf-8",
    )
    digest(config)
    server.hits.clear()
    soon = digest(config)
    assert server.hits == []
    assert "feeds: 0 downloaded, 0 unchanged, 1 checked minutes ago (--refresh asks" in soon
    assert "up to date" in soon
    refreshed = digest(config, "--refresh")
    assert [h.status for h in server.hits] == [304]
    assert "feeds: 0 downloaded, 1 unchanged, " in refreshed and "up to date" in refreshed


def test_an_up_to_date_run_still_says_what_to_check(tmp_path: Path, server: FeedServer) -> None:
    config = workspace(tmp_path, server)
    args = ["digest", "-c", str(config), "--week", "2026-W47", "--out", str(tmp_path / "out")]
    made, again = runner.invoke(app, args), runner.invoke(app, args)
    assert "up to date" in again.stdout
    checks = [line for line in made.stderr.splitlines() if line.startswith("Check: ")]
    assert checks and "650 participants" in checks[0]  # the example recaps disagree
    assert [line for line in again.stderr.splitlines() if line.startswith("Check: ")] == checks


def test_the_feeds_listing_says_when_each_feed_was_last_heard_from(
    tmp_path: Path, server: FeedServer
) -> None:
    config = workspace(tmp_path, server)
    before = runner.invoke(app, ["feeds", "-c", str(config)])
    assert before.exit_code == 0 and "checked" not in before.stdout  # no state file yet
    assert not Path(os.environ["RECAPMAIL_STATE"]).exists()  # and listing made none
    text = config.read_text(encoding="utf-8")
    never = server.url("/never.xml")
    config.write_text(text + f'\n[[sources]]\nname = "Later"\nurl = "{never}"\nenabled = false\n')
    digest(config)
    listing = runner.invoke(app, ["feeds", "-c", str(config)]).stdout.splitlines()
    assert listing[0].startswith("Recaps: ") and "checked" not in listing[0]
    assert listing[1].startswith("News: http") and listing[1].endswith("(checked 0 min ago)")
    assert listing[2].endswith("(disabled)  (never fetched)")


def test_an_install_or_upgrade_of_a_library_changes_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recapmail.uptodate import installed_versions

    site = tmp_path / "lib" / "site-packages"
    (site / "feedparser-6.0.11.dist-info").mkdir(parents=True)
    monkeypatch.setattr("sys.path", [str(site)])
    before = installed_versions()
    assert before == "feedparser-6.0.11.dist-info"
    (site / "feedparser-6.0.11.dist-info").rename(site / "feedparser-6.0.12.dist-info")
    assert installed_versions() != before
