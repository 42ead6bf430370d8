"""Editions are drafts until they go out: the weekly routine, run as a user runs it.

Every test drives `python -m recapmail` in child processes over one state file: making
consumes nothing, publishing records what went out once, a skipped week rolls forward.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from email.utils import format_datetime
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # real processes, servers and files: see pyproject's markers

WEEK_DAYS = {"2026-W46": 11, "2026-W47": 18, "2026-W48": 25}  # a Wednesday of each week


def recap(folder: Path, name: str, title: str, day: str = "2026-11-24", front: str = "") -> Path:
    path = folder / f"{name}.md"
    path.write_text(
        f"---\ntitle: {title}\ndate: {day}\n{front}---\n\n"
        f"Le meetup {name} a réuni 120 participants à Lyon autour d'OpenStack. "
        "Les opérateurs ont comparé KubeVirt et Proxmox pour leurs migrations.\n",
        encoding="utf-8",
    )
    return path


def feed(path: Path, items: list[tuple[str, str]], site: str = "https://news.example.org") -> None:
    """A saved RSS feed: (id, ISO date) per item."""
    from datetime import datetime

    entries = "".join(
        f"<item><title>Nouvelle {n} sur le cloud ouvert et OpenStack</title>"
        f"<link>{site}/{n}</link><guid>{site}/{n}</guid>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(day + 'T10:00:00+00:00'))}</pubDate>"
        f"<description>Le projet {n} publie une version attendue par 300 opérateurs.</description>"
        "</item>"
        for n, day in items
    )
    path.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>{entries}'
        "</channel></rss>",
        encoding="utf-8",
    )


@pytest.fixture
def team(tmp_path: Path) -> Path:
    (tmp_path / "recaps").mkdir()
    recap(tmp_path / "recaps", "lyon", "Meetup OpenStack Lyon")
    recap(tmp_path / "recaps", "nantes", "Atelier Proxmox Nantes")
    (tmp_path / "feeds.toml").write_text(
        '[newsletter]\ntitle = "Veille"\nlanguage = "fr"\ntimezone = "Europe/Paris"\n'
        'from = "Veille <veille@example.org>"\nto = ["clients@example.org"]\n'
        '[state]\npath = "state.sqlite3"\n'
        '[[sources]]\nname = "Recaps"\npath = "recaps"\n',
        encoding="utf-8",
    )
    return tmp_path


def with_feed(team: Path, items: list[tuple[str, str]]) -> None:
    feed(team / "news.xml", items)
    with (team / "feeds.toml").open("a", encoding="utf-8") as config:
        config.write('[[sources]]\nname = "News"\npath = "news.xml"\n')


def run(cwd: Path, *args: str, code: int = 0, **env: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "recapmail", *args], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, "NO_COLOR": "1", **env}, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def make(cwd: Path, week: str, *extra: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    return run(cwd, "digest", "--offline", "--week", week, *extra, code=code)


def items(folder: Path) -> list[str]:
    """The items of an edition folder, as (title) in digest.json, sorted."""
    data = json.loads((folder / "digest.json").read_text(encoding="utf-8"))
    return sorted(item["title"] for item in data["items"])


def published(cwd: Path) -> dict[str, list[str]]:
    """label -> the titles of what it went out with, read from the state itself."""
    with sqlite3.connect(cwd / "state.sqlite3") as db:
        rows = db.execute("SELECT label, article FROM sent_articles ORDER BY label, position")
        found: dict[str, list[str]] = {}
        for label, article in rows:
            found.setdefault(label, []).append(json.loads(article)["title"])
    return {label: sorted(titles) for label, titles in found.items()}


def all_out_text(folder: Path) -> str:
    return "".join(
        p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()
    )  # fmt: skip


def test_edits_deletions_and_late_recaps_reach_the_draft(team: Path) -> None:
    first = make(team, "2026-W48")
    assert "2 articles (2 shown)" in first.stdout
    assert "(draft: recapmail send out/2026-W48, or recapmail publish out/2026-W48" in first.stdout
    recap(team / "recaps", "lyon", "Meetup OpenStack Lyon, titre corrigé")
    (team / "recaps" / "nantes.md").unlink()
    recap(team / "recaps", "rennes", "Journée Kubernetes Rennes")
    make(team, "2026-W48")  # no --force needed: the sources changed
    assert items(team / "out" / "2026-W48") == [
        "Journée Kubernetes Rennes",
        "Meetup OpenStack Lyon, titre corrigé",
    ]
    text = all_out_text(team / "out" / "2026-W48")
    assert "Nantes" not in text and "Meetup OpenStack Lyon\n" not in text


def test_draft_recaps_never_go_out_and_are_counted(team: Path) -> None:
    recap(team / "recaps", "secret", "Notes internes confidentielles", front="draft: true\n")
    recap(team / "recaps", "hidden", "Notes cachées confidentielles", front="hidePost: true\n")
    recap(team / "recaps", "_wip", "Brouillon confidentiel")
    done = make(team, "2026-W48")
    assert "2 articles (2 shown), 3 drafts skipped, 0 warnings" in done.stdout
    assert "onfidentiel" not in all_out_text(team / "out")


def test_a_missing_path_is_a_config_error_naming_the_source(team: Path) -> None:
    config = team / "feeds.toml"
    config.write_text(config.read_text().replace('path = "recaps"', 'path = "recpas"'))
    done = make(team, "2026-W48", code=1)
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("Error: ") and "'Recaps'" in line and "recpas does not exist" in line
    assert not (team / "out").exists()
    config.write_text(config.read_text().replace('path = "recpas"', 'path = "recaps"'))
    assert "2 articles" in make(team, "2026-W48").stdout  # nothing moved on meanwhile


def test_nothing_new_writes_no_folder_unless_allowed(team: Path) -> None:
    make(team, "2026-W47")
    make(team, "2026-W48")  # a draft of W48 made before W47 went out: stale once it has
    run(team, "publish", "out/2026-W47")
    done = make(team, "2026-W48")
    assert "nothing new since 2026-W47, published " in done.stdout
    assert "removed the out-of-date draft out/2026-W48" in done.stdout
    assert not (team / "out" / "2026-W48").exists()
    assert sorted(p.name for p in (team / "out").iterdir()) == ["2026-W47"]
    empty = make(team, "2026-W48", "--allow-empty")
    assert "0 articles (0 shown)" in empty.stdout
    refused = run(team, "publish", "out/2026-W48", code=1)
    assert "holds no item" in refused.stderr


def test_publish_is_idempotent_and_a_published_week_is_made_as_it_went(team: Path) -> None:
    make(team, "2026-W48")
    done = run(team, "publish", "out/2026-W48")
    assert done.stdout.startswith("Published 2026-W48: 2 items recorded as gone out")
    again = run(team, "publish", "out/2026-W48")
    assert "was published already" in again.stdout and "nothing recorded again" in again.stdout
    recap(team / "recaps", "lyon", "Meetup OpenStack Lyon, corrigé après l'envoi")
    remade = make(team, "2026-W48")
    assert "published " in remade.stdout and "made again as it went out" in remade.stdout
    assert items(team / "out" / "2026-W48") == ["Atelier Proxmox Nantes", "Meetup OpenStack Lyon"]
    forced = make(team, "2026-W48", "--force")  # --force: the same items, as the sources say now
    assert "made again as it went out" in forced.stdout
    assert items(team / "out" / "2026-W48") == [
        "Atelier Proxmox Nantes",
        "Meetup OpenStack Lyon, corrigé après l'envoi",
    ]
    listing = run(team, "editions").stdout
    assert "2026-W48" in listing and "published" in listing and "2 items" in listing
    # a published edition's folder (kept absolute in the state) is shown as a draft's is
    assert [line.split()[-1] for line in listing.splitlines()][:1] == ["out/2026-W48"]
    assert f"State: {team / 'state.sqlite3'}" in listing


def test_a_changed_digest_json_is_not_published(team: Path) -> None:
    make(team, "2026-W48")
    digest = team / "out" / "2026-W48" / "digest.json"
    digest.write_text(digest.read_text().replace("Nantes", "Brest"))
    done = run(team, "publish", "out/2026-W48", code=1)
    assert "changed after the edition was made" in done.stderr
    assert published(team) == {}


def test_a_skipped_week_rolls_forward(team: Path) -> None:
    news = [("a", "2026-11-11"), ("b", "2026-11-12"), ("c", "2026-11-17"), ("d", "2026-11-19")]
    news += [("e", "2026-11-24"), ("f", "2026-11-26")]
    with_feed(team, news)
    # before any edition went out: the recaps and the items of its own week
    assert "4 articles" in make(team, "2026-W48").stdout
    make(team, "2026-W46")
    run(team, "publish", "out/2026-W46")
    # W47 is never made (holidays): its items are in W48's draft
    make(team, "2026-W48")
    titles = items(team / "out" / "2026-W48")
    assert [t for t in titles if t.startswith("Nouvelle")] == [
        f"Nouvelle {n} sur le cloud ouvert et OpenStack" for n in "cdef"
    ]
    run(team, "publish", "out/2026-W48")
    went = published(team)
    everything = [t for titles in went.values() for t in titles]
    assert len(everything) == len(set(everything)) == 6 + 2  # no item lost, none twice


def test_an_age_limit_cut_is_counted(team: Path) -> None:
    with_feed(team, [("old", "2026-10-10"), ("new", "2026-11-25")])
    config = team / "feeds.toml"
    config.write_text(config.read_text() + "max_age_days = 30\n")
    make(team, "2026-W40")
    run(team, "publish", "out/2026-W40")  # the two recaps; the feed's items are later
    done = make(team, "2026-W48")
    assert "1 article (1 shown), 1 older than max_age_days left out" in done.stdout


def test_two_weeks_made_at_once_publish_each_item_once(team: Path) -> None:
    with_feed(team, [("w48", "2026-11-25"), ("w49", "2026-12-02")])
    env = {**os.environ, "NO_COLOR": "1"}
    args = [sys.executable, "-m", "recapmail", "digest", "--offline", "--week"]
    children = [
        subprocess.Popen(
            [*args, week], cwd=team, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for week in ("2026-W48", "2026-W49")
    ]
    for child in children:  # the barrier: both have selected before either publishes
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err.decode()
    w48, w49 = team / "out" / "2026-W48", team / "out" / "2026-W49"
    assert set(items(w48)) & set(items(w49)) == {"Atelier Proxmox Nantes", "Meetup OpenStack Lyon"}
    # Both published at the same moment: one transaction wins, the other is refused whole.
    publishes = [
        subprocess.Popen(
            [sys.executable, "-m", "recapmail", "publish", str(folder)],
            cwd=team,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in (w48, w49)
    ]
    outcomes = [(p.wait(timeout=60), p.communicate()[1]) for p in publishes]
    assert sorted(code for code, _ in outcomes) == [0, 1]
    (refusal,) = [err for code, err in outcomes if code == 1]
    assert "went out already in another edition" in refusal and "nothing was recorded" in refusal
    loser = w49 if outcomes[0][0] == 0 else w48
    make(team, loser.name)  # made again: without what went out
    run(team, "publish", str(loser))
    went = published(team)
    everything = [t for titles in went.values() for t in titles]
    assert sorted(everything) == sorted(set(everything))  # nothing twice
    assert len(everything) == 4  # nothing lost: 2 recaps and 2 feed items


def test_a_kill_during_publish_leaves_all_of_it_or_nothing(team: Path) -> None:
    for n in range(60):
        recap(team / "recaps", f"r{n:02d}", f"Compte rendu {n:02d} du meetup")
    make(team, "2026-W48")
    expected = sorted(items(team / "out" / "2026-W48"))
    state = team / "state.sqlite3"
    pristine = state.read_bytes()
    for delay in (0.05, 0.15, 0.25, 0.3, 0.35, 0.4, 0.5, 0.7):
        state.write_bytes(pristine)
        for extra in (Path(f"{state}-wal"), Path(f"{state}-shm")):
            extra.unlink(missing_ok=True)
        child = subprocess.Popen(
            [sys.executable, "-m", "recapmail", "publish", "out/2026-W48"], cwd=team,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        went = published(team)
        with sqlite3.connect(state) as db:
            keys = db.execute("SELECT count(*) FROM sent").fetchone()[0]
            labels = db.execute("SELECT count(*) FROM periods").fetchone()[0]
        assert went in ({}, {"2026-W48": expected}), delay
        assert (labels, bool(keys)) in ((0, False), (1, True)), delay
    run(team, "publish", "out/2026-W48")  # after any kill, publishing completes
    assert published(team) == {"2026-W48": expected}


def test_the_preview_leaves_the_state_untouched(team: Path) -> None:
    from recapmail.preview_page.watch import Live

    make(team, "2026-W47")
    run(team, "publish", "out/2026-W47")
    make(team, "2026-W48", "--allow-empty")
    state = team / "state.sqlite3"

    def snapshot() -> dict[str, str]:
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in team.iterdir()
            if p.name.startswith("state.sqlite3")
        }

    before = snapshot()
    live = Live(team / "out", team / "feeds.toml", interval=0.01)
    live.viewing("2026-W48", +1)
    version = live.version
    path = recap(team / "recaps", "brest", "Atelier Brest, vu dans l'aperçu")
    os.utime(path, ns=(time.time_ns() + 10**9,) * 2)
    live.poll()
    assert live.version > version and live.error_for("2026-W48") is None
    assert items(team / "out" / "2026-W48") == ["Atelier Brest, vu dans l'aperçu"]
    assert snapshot() == before, "the preview wrote the state"
    assert state.exists()
    run(team, "publish", "out/2026-W48")  # what the preview made can go out as it is
    assert published(team)["2026-W48"] == ["Atelier Brest, vu dans l'aperçu"]


def test_a_state_held_by_another_run_is_said_after_a_bounded_wait(team: Path) -> None:
    make(team, "2026-W48")
    holder = sqlite3.connect(team / "state.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        done = run(team, "publish", "out/2026-W48", code=1, RECAPMAIL_LOCK_WAIT="1")
        assert time.monotonic() - started < 30
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    (line,) = done.stderr.strip().splitlines()
    assert "in use by another recapmail run" in line and "move it aside" not in line
    run(team, "publish", "out/2026-W48")  # nothing lost: it goes through once free


def test_an_emptied_state_is_said_not_taken_as_a_first_run(team: Path) -> None:
    make(team, "2026-W48")
    run(team, "publish", "out/2026-W48")
    (team / "state.sqlite3").write_bytes(b"")
    done = make(team, "2026-W49", code=1)
    assert "is empty: the record of what went out is gone" in done.stderr
    assert not (team / "out" / "2026-W49").exists()


def test_a_special_edition_in_a_skipped_week_loses_nothing(team: Path) -> None:
    with_feed(team, [("a", "2026-11-12"), ("c", "2026-11-17"), ("d", "2026-11-19")])
    make(team, "2026-W46")
    run(team, "publish", "out/2026-W46")
    special = recap(team, "special", "Édition spéciale Summit", day="2026-11-19")
    made = run(team, "newsletter", str(special), "--out", "out")
    folder = next(p for p in (team / "out").iterdir() if p.name.startswith("2026-11-19-"))
    assert "(draft: recapmail send" in made.stdout
    run(team, "publish", str(folder))
    make(
        team, "2026-W48"
    )  # W47 was never made: its feed items come now, the special did not take them
    titles = items(team / "out" / "2026-W48")
    assert [t for t in titles if t.startswith("Nouvelle")] == [
        f"Nouvelle {n} sur le cloud ouvert et OpenStack" for n in "cd"
    ]


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: [1, 2],
        lambda d: {**d, "label": None},
        lambda d: {**d, "label": "2026-W01"},
        lambda d: {**d, "items": [{**d["items"][0], "keys": "abc"}, *d["items"][1:]]},
        lambda d: {**d, "items": [{**d["items"][0], "keys": []}, *d["items"][1:]]},
        lambda d: {**d, "items": d["items"][:1]},
    ],
)
def test_a_hand_edited_edition_record_is_refused(team: Path, edit: object) -> None:
    make(team, "2026-W48")
    record = team / "out" / "2026-W48" / ".edition.json"
    record.write_text(json.dumps(edit(json.loads(record.read_text()))))  # type: ignore[operator]
    done = run(team, "publish", "out/2026-W48", code=1)
    (line,) = done.stderr.strip().splitlines()
    assert "not what recapmail writes" in line and "make the edition again" in line
    assert published(team) == {}


def test_odd_paths_given_to_publish_are_one_clear_line(team: Path) -> None:
    for path in ("a" * 300, "out/nothing", "feeds.toml"):
        done = run(team, "publish", path, code=1)
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith("Error: ") and "unexpected" not in line, line


def test_a_toml_front_matter_draft_stays_home(team: Path) -> None:
    (team / "recaps" / "toml.md").write_text(
        '+++\ntitle = "Brouillon TOML confidentiel"\nhidePost = true\n+++\n\nTexte interne.\n',
        encoding="utf-8",
    )
    done = make(team, "2026-W48")
    assert "1 draft skipped" in done.stdout
    assert "onfidentiel" not in all_out_text(team / "out")


def test_a_published_recap_moved_elsewhere_does_not_go_out_again(team: Path) -> None:
    make(team, "2026-W48")
    run(team, "publish", "out/2026-W48")
    (team / "recaps").rename(team / "comptes-rendus")
    config = team / "feeds.toml"
    config.write_text(config.read_text().replace('path = "recaps"', 'path = "comptes-rendus"'))
    assert "nothing new since 2026-W48" in make(team, "2026-W49").stdout


def test_a_site_moved_to_a_new_domain_sends_nothing_again(team: Path) -> None:
    """The feed's GUIDs and links all change at once: its posts are known by title and day."""
    with_feed(team, [("a", "2026-11-17"), ("b", "2026-11-19")])
    make(team, "2026-W47")
    run(team, "publish", "out/2026-W47")
    feed(team / "news.xml", [("a", "2026-11-17"), ("b", "2026-11-19"), ("c", "2026-11-25")],
         site="https://cloud-ouvert.example.net/posts")  # fmt: skip
    make(team, "2026-W48")
    assert items(team / "out" / "2026-W48") == ["Nouvelle c sur le cloud ouvert et OpenStack"]
    run(team, "publish", "out/2026-W48")
    everything = [t for titles in published(team).values() for t in titles]
    assert len(everything) == len(set(everything)) == 2 + 3
