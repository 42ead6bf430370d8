"""`recapmail feeds --import/--export`: OPML from other feed readers, feeds.toml kept as written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from typer.testing import CliRunner

from recapmail.cli import app
from recapmail.config import load_config

DATA = Path(__file__).parent / "data" / "opml"
CONFIG = """# La configuration de l'équipe
[newsletter]
title = "Veille"  # le nom de la lettre

[[sources]]
name = "Veille générale"
url = "https://news.example.org/rss"
"""


def feeds(folder: Path, *args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, ["feeds", "-c", str(folder / "feeds.toml"), *args])
    return done.exit_code, done.stdout, done.stderr


def test_an_import_adds_the_new_feeds_and_keeps_the_file_as_written(tmp_path: Path) -> None:
    (tmp_path / "feeds.toml").write_text(CONFIG, encoding="utf-8")
    code, out, err = feeds(tmp_path, "--import", str(DATA / "reader-export.opml"))
    assert code == 0, err
    assert out.splitlines()[-1] == f"3 feeds added to {tmp_path / 'feeds.toml'}, 2 already there"
    text = (tmp_path / "feeds.toml").read_text(encoding="utf-8")
    assert text.startswith(CONFIG)  # comments, order and spacing untouched
    cfg = load_config(tmp_path / "feeds.toml")
    assert [(s.name, s.url, s.tags) for s in cfg.sources] == [
        ("Veille générale", "https://news.example.org/rss", ()),
        ("Blog Kubernetes", "https://kubernetes.example.org/feed.xml", ("Cloud natif",)),
        ("CNCF", "https://cncf.example.org/feed/", ("Cloud natif",)),
        ("Actualités OpenStack", "https://openstack.example.org/blog/feed/",
         ("Infra ouverte", "OpenStack")),
    ]  # fmt: skip
    again = feeds(tmp_path, "--import", str(DATA / "reader-export.opml"))
    assert again[0] == 0 and "0 feeds added" in again[1]
    assert (tmp_path / "feeds.toml").read_text(encoding="utf-8") == text


def test_an_export_is_opml_a_reader_and_an_import_read_back(tmp_path: Path) -> None:
    (tmp_path / "feeds.toml").write_text(CONFIG, encoding="utf-8")
    feeds(tmp_path, "--import", str(DATA / "reader-export.opml"))
    code, out, err = feeds(tmp_path, "--export", str(tmp_path / "out.opml"))
    assert code == 0 and out.strip() == f"4 feeds written to {tmp_path / 'out.opml'}", err
    other = tmp_path / "other"
    other.mkdir()
    (other / "feeds.toml").write_text("", encoding="utf-8")
    assert feeds(other, "--import", str(tmp_path / "out.opml"))[0] == 0
    names = [s.name for s in load_config(other / "feeds.toml").sources]
    assert names == [s.name for s in load_config(tmp_path / "feeds.toml").sources]
    stdout = feeds(tmp_path, "--export", "-")[1]
    assert stdout.startswith('<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">')
    assert not feedparser.parse(stdout).bozo  # well-formed XML, as feedparser reads it


@pytest.mark.slow
def test_hostile_or_broken_opml_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "feeds.toml").write_text(CONFIG, encoding="utf-8")
    cases = {
        "bomb.opml": '<?xml version="1.0"?><!DOCTYPE o [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;">]><opml><body><outline text="&b;"/></body></opml>',
        "external.opml": '<?xml version="1.0"?><!DOCTYPE o SYSTEM "http://127.0.0.1:1/x.dtd">'
        "<opml><body/></opml>",
        "broken.opml": "<opml><body><outline",
        "rss.opml": '<?xml version="1.0"?><rss version="2.0"><channel/></rss>',
    }
    for name, content in cases.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "recapmail", "feeds", "-c", str(tmp_path / "feeds.toml"),
             "--import", str(tmp_path / name)],
            capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        assert done.returncode == 1, (name, done.stderr)
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith(f"Error: {tmp_path / name}: ") and "Traceback" not in line, line
    assert (tmp_path / "feeds.toml").read_text(encoding="utf-8") == CONFIG


def test_feeds_check_flags_a_feed_silent_for_months(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.feedserver import FeedServer, make_items, rss_feed

    with FeedServer() as server:
        old = server.add(
            "/old.xml", rss_feed(make_items(3, start=datetime(2014, 3, 2, tzinfo=UTC)))
        )
        fresh_start = datetime.now(UTC) - timedelta(days=2)
        fresh = server.add("/fresh.xml", rss_feed(make_items(3, start=fresh_start)))
        (tmp_path / "feeds.toml").write_text(
            f'[[sources]]\nname = "Ancien"\nurl = "{old}"\n'
            f'[[sources]]\nname = "Vivant"\nurl = "{fresh}"\n',
            encoding="utf-8",
        )
        code, out, err = feeds(tmp_path, "--check")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("OLD   Ancien: 3 items, newest 2014-03-02, ")
    assert "silent for more than 90 days" in lines[0]
    assert lines[1].startswith("ok    Vivant: 3 items, newest ")
    assert lines[-1] == "2 sources, 0 failed"
