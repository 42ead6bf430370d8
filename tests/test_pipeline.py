"""End to end on the project's examples: the ★ output folder, the JSON contracts, determinism."""

from __future__ import annotations

import email
import json
import shutil
from email.message import Message
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recapmail.cli import app

from .conftest import EXAMPLES

runner = CliRunner()
STAR_FILES = {
    "newsletter.html",
    "newsletter.txt",
    "newsletter.eml",
    "newsletter.mjml",
    "digest.json",
    "social/linkedin.txt",
    "social/mastodon.txt",
    "social/bluesky.txt",
}
HIGHLIGHT_KEYS = {
    "source",
    "url",
    "title",
    "language",
    "published",
    "summary",
    "highlights",
    "figures",
    "keywords",
    "hashtags",
}


def files_of(folder: Path) -> dict[str, bytes]:
    """The ★ files of an edition folder (not the hidden .edition.json kept for publishing)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def digest(out: Path, *extra: str) -> Path:
    args = ["digest", "-c", str(EXAMPLES / "feeds.toml"), "--offline", "--out", str(out)]
    result = runner.invoke(app, [*args, "--week", "2026-W47", *extra])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Digest 2026-W47: 9 articles (9 shown), 0 warnings, ")
    return out / "2026-W47"


def test_digest_writes_the_whole_output_folder(tmp_path: Path) -> None:
    folder = digest(tmp_path / "out")
    assert set(files_of(folder)) == STAR_FILES
    data = json.loads((folder / "digest.json").read_text())
    assert data["period"]["label"] == "2026-W47"
    assert data["language"] == "fr"
    assert set(data["files"]) == STAR_FILES
    assert len(data["items"]) == 9
    for item in data["items"]:
        assert HIGHLIGHT_KEYS | {"feed", "cluster", "shown"} <= set(item)
    feeds = {item["feed"] for item in data["items"]}
    assert feeds == {"Nos comptes rendus", "Veille cloud (exemple)"}
    # the feed item outside the week stays out
    assert not any("retour-sommet" in (item["url"] or "") for item in data["items"])
    message: Message = email.message_from_bytes((folder / "newsletter.eml").read_bytes())
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.get_payload()] == ["text/plain", "text/html"]
    for header in ("Subject", "From", "To", "Date", "Message-ID", "List-Unsubscribe"):
        assert message[header], header
    html = (folder / "newsletter.html").read_text()
    assert '<html lang="fr"' in html and "<script" not in html


def test_running_a_week_again_gives_the_same_files(tmp_path: Path) -> None:
    first = files_of(digest(tmp_path / "a"))
    second = files_of(digest(tmp_path / "b"))
    for name in STAR_FILES - {"digest.json"}:
        assert first[name] == second[name], name
    one, two = (json.loads(x["digest.json"]) for x in (first, second))
    one.pop("generated_at")
    two.pop("generated_at")
    assert one == two


def test_an_item_goes_out_in_one_published_edition_only(tmp_path: Path) -> None:
    w47 = digest(tmp_path / "out")
    assert (w47 / ".edition.json").is_file()
    args = ["digest", "-c", str(EXAMPLES / "feeds.toml"), "--offline", "--out", str(tmp_path)]
    result = runner.invoke(app, [*args, "--week", "2026-W48"])
    assert result.exit_code == 0, result.stderr
    draft = json.loads((tmp_path / "2026-W48" / "digest.json").read_text())
    recaps = {i["source"] for i in draft["items"] if i["feed"] == "Nos comptes rendus"}
    assert len(recaps) == 4  # W47 is a draft only: its recaps are in the next draft too
    published = runner.invoke(app, ["publish", str(w47)])
    assert published.exit_code == 0, published.stderr
    assert published.stdout.startswith("Published 2026-W47: 9 items recorded as gone out")
    shutil.rmtree(tmp_path / "2026-W48")
    result = runner.invoke(app, [*args, "--week", "2026-W48"])
    assert result.exit_code == 0, result.stderr
    assert "nothing new since 2026-W47, published " in result.stdout
    assert not (tmp_path / "2026-W48").exists()


def test_highlights_json_contract_on_every_example() -> None:
    articles = sorted(str(p) for p in (EXAMPLES / "articles").iterdir())
    result = runner.invoke(app, ["highlights", "--json", *articles])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["source"] for d in data] == articles
    for d in data:
        assert set(d) == HIGHLIGHT_KEYS
        assert d["language"] in ("fr", "en")
        assert d["title"] and d["summary"] and d["highlights"]
        assert all(h.startswith("#") and " " not in h for h in d["hashtags"])
        for f in d["figures"]:
            assert set(f) == {"value", "number", "label", "sentence"}
            assert isinstance(f["number"], float)
    by_name = {Path(d["source"]).name: d for d in data}
    assert by_name["2026-11-18-openinfra-days-lyon-en.md"]["language"] == "en"
    assert (
        by_name["kubecon-na-2026-notes.txt"]["title"] == "Nos notes de KubeCon North America 2026"
    )
    assert by_name["2026-11-19-atelier-proxmox.html"]["published"] == "2026-11-19"


def test_highlights_human_output() -> None:
    path = str(EXAMPLES / "articles" / "kubecon-na-2026-notes.txt")
    result = runner.invoke(app, ["highlights", path, "--count", "2"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Nos notes de KubeCon North America 2026"
    assert lines[1] == f"{path} (fr)"
    assert sum(1 for line in lines if line.startswith(("  1. ", "  2. ", "  3. "))) == 2


def test_newsletter_special_edition(tmp_path: Path) -> None:
    article = EXAMPLES / "articles" / "2026-11-19-atelier-proxmox.html"
    result = runner.invoke(
        app,
        [
            "newsletter",
            str(article),
            "-c",
            str(EXAMPLES / "feeds.toml"),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    (folder,) = (tmp_path / "out").iterdir()
    assert folder.name == "2026-11-19-atelier-client-proxmox-ve-comme-alternative-a-vsphere"
    assert set(files_of(folder)) == STAR_FILES
    assert result.stdout.startswith(f"Newsletter {folder.name}: 1 article")
    text = (folder / "newsletter.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[2].startswith("Édition spéciale\u202f: Atelier client")  # not "Du 19 au 19…"
    assert "Une édition spéciale consacrée à Atelier client" in text
    weekly_intro = "Cette semaine : retours des Journées OpenInfra Lyon"
    assert weekly_intro not in text


@pytest.mark.parametrize("platform", ["linkedin", "mastodon", "bluesky"])
def test_social_json_within_limits(platform: str) -> None:
    result = runner.invoke(
        app,
        ["social", str(EXAMPLES / "articles"), "--platform", platform, "--json", "--thread"],
    )
    assert result.exit_code == 0, result.stderr
    posts = json.loads(result.stdout)
    assert posts
    for post in posts:
        assert post["platform"] == platform
        assert 0 < post["count"] <= post["limit"]
        assert 1 <= post["part"] <= post["parts"]


def test_digest_json_layout_is_one_item_per_line(tmp_path: Path) -> None:
    text = (digest(tmp_path / "out") / "digest.json").read_text()
    data = json.loads(text)
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    item_lines = [line for line in lines if line.startswith('    {"source"')]
    assert len(item_lines) == len(data["items"]) == 9
    assert [json.loads(line.rstrip(",")) for line in item_lines] == data["items"]


def test_recaps_of_one_event_are_grouped_and_their_disagreement_reported(tmp_path: Path) -> None:
    args = ["digest", "-c", str(EXAMPLES / "feeds.toml"), "--offline", "--out", str(tmp_path)]
    result = runner.invoke(app, [*args, "--week", "2026-W47"])
    assert result.exit_code == 0
    assert (
        "Check: Journées OpenInfra Lyon 2026: participants: "
        "plus de 650 participants (2026-11-17-journees-openinfra-lyon.md), "
        "700+ attendees (2026-11-18-openinfra-days-lyon-en.md)"
    ) in result.stderr
    data = json.loads((tmp_path / "2026-W47" / "digest.json").read_text())
    (cluster,) = data["clusters"]
    assert cluster["members"][0].endswith("2026-11-17-journees-openinfra-lyon.md")  # French first
    grouped = [i["source"] for i in data["items"] if i["cluster"] == cluster["id"]]
    assert sorted(Path(s).name for s in grouped) == [
        "2026-11-17-journees-openinfra-lyon.md",
        "2026-11-18-openinfra-days-lyon-en.md",
    ]
    from recapmail.preview_page.editions import read_edition

    (line,) = read_edition(tmp_path / "2026-W47").conflicts
    assert line.startswith("Journées OpenInfra Lyon 2026: participants: plus de 650 participants")


def test_digest_posts_name_an_event_once(tmp_path: Path) -> None:
    folder = digest(tmp_path / "out")
    for platform in ("linkedin", "mastodon"):
        text = (folder / "social" / f"{platform}.txt").read_text()
        assert "• Journées OpenInfra Lyon 2026\n" in text
        assert "OpenInfra Days Lyon 2026: what we learned" not in text


def test_digest_over_http_says_what_it_downloaded(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from tests.feedserver import FeedServer, make_items, rss_feed

    with FeedServer() as server:
        url = server.add(
            "/feed.xml", rss_feed(make_items(4, start=datetime(2026, 11, 17, 9, tzinfo=UTC)))
        )
        config = tmp_path / "feeds.toml"
        config.write_text(f'[[sources]]\nname = "News"\nurl = "{url}"\n', encoding="utf-8")
        args = ["digest", "-c", str(config), "--week", "2026-W47", "--out", str(tmp_path / "o")]
        first = runner.invoke(app, args)
        second = runner.invoke(app, [*args, "--force", "--refresh"])
    assert first.exit_code == second.exit_code == 0, first.stderr + second.stderr
    assert "feeds: 1 downloaded, 0 unchanged, 0 warnings" in first.stdout
    assert "feeds: 0 downloaded, 1 unchanged, 0 warnings" in second.stdout
    assert first.stdout.startswith("Digest 2026-W47: 4 articles (4 shown), ")


def test_the_status_line_follows_the_run_to_the_end(tmp_path: Path) -> None:
    """On a terminal, the status says what the run is doing after the fetching too."""
    from recapmail.config import load_config
    from recapmail.period import week_period
    from recapmail.pipeline import run_digest

    cfg = load_config(EXAMPLES / "feeds.toml")
    said: list[str] = []
    run_digest(cfg, week_period("2026-W47", "Europe/Paris"), tmp_path, progress=said.append)
    assert said[-3:] == [
        "Reading the unchanged feeds and the local recaps…",
        "Picking the highlights of 2026-W47 from 10 articles…",
        f"Rendering the newsletter and the posts into {tmp_path / '2026-W47'}…",
    ]
