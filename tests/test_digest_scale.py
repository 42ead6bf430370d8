"""A week of many feed items: the cheap shortlist, light highlights, the highlights cache."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import recapmail.highlights
from recapmail import digest as digest_module
from recapmail.config import Config, NewsletterConfig, SourceConfig
from recapmail.digest import build_digest, extract_cached
from recapmail.model import Article, Highlights
from recapmail.period import week_period
from recapmail.serialize import highlights_from_json, highlights_to_json
from recapmail.shortlist import guess_language, light_highlights, shortlist
from recapmail.state import State

W47 = week_period("2026-W47", "Europe/Paris")
W48 = week_period("2026-W48", "Europe/Paris")
RUN = datetime(2026, 11, 23, 7, tzinfo=UTC)
CFG = Config(
    sources=(SourceConfig("recaps", path=Path("recaps")),),
    newsletter=NewsletterConfig(max_items=3, language="fr"),
)


def news(feed: str, n: int, title: str, description: str | None = None, day: int = 18) -> Article:
    link = f"https://{feed}.example.org/{n}"
    return Article(source=link, url=link, guid=link, kind="feed", feed=feed, title=title,
                   description=description, body=f"{title}. Some more words about it. " * 3,
                   published=datetime(2026, 11, day, 9, tzinfo=UTC), first_seen=RUN)  # fmt: skip


def recap(name: str) -> Article:
    return Article(
        source=f"/team/recaps/{name}.md",
        kind="file",
        feed="recaps",
        title=f"Compte rendu du {name}",
        body=(
            f"Le {name} a réuni 1 200 participants venus de 30 pays. Nous y avons présenté "
            "notre migration de VMware vers OpenStack, qui a réduit les coûts de 40 %. "
            "Les ateliers sur Kubernetes ont fait salle comble."
        ),
        first_seen=RUN,
    )


@pytest.fixture
def state(tmp_path: Path) -> State:
    return State.open(tmp_path / "state.sqlite3")


@pytest.fixture
def extract_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The real extract(), counting the articles it is called on."""
    calls: list[str] = []
    real = recapmail.highlights.extract

    def counting(article: Article, count: int = 5) -> Highlights:
        calls.append(article.source)
        return real(article, count)

    monkeypatch.setattr(recapmail.highlights, "extract", counting)
    return calls


def test_only_the_shown_items_and_the_team_recaps_are_extracted(
    state: State, extract_calls: list[str]
) -> None:
    items = [news("big", n, f"Routine post number {n} of the big feed") for n in range(30)]
    items.append(news("small", 1, "OpenStack 2026.2 released with 40 % faster live migration"))
    team = recap("sommet")
    digest = build_digest([*items, team], W47, CFG, state, now=RUN)
    assert len(digest.items) == 32  # every item of the week stays in digest.json
    shown = [i.highlights.article.source for i in digest.items if i.shown]
    assert len(shown) == 3 and shown[0] == team.source
    assert "https://small.example.org/1" in shown  # figures and a release beat a routine post
    assert sorted(extract_calls) == sorted(shown)
    light = [i.highlights for i in digest.items if not i.shown]
    assert all(h.highlights == () and h.figures == () for h in light)
    assert all(i.cluster is None for i in digest.items if not i.shown)


def test_a_second_run_extracts_nothing_and_gives_the_same_digest(
    state: State, extract_calls: list[str]
) -> None:
    articles = [news("a", n, f"Kubernetes 1.{30 + n} ships {n + 2} new features") for n in range(5)]
    articles.append(recap("forum"))
    first = build_digest(articles, W47, CFG, state, now=RUN)
    extracted = len(extract_calls)
    assert extracted == 3
    again = build_digest(articles, W47, CFG, state, now=RUN + timedelta(hours=1))
    assert len(extract_calls) == extracted  # all from the cache
    assert again.items == first.items and again.clusters == first.clusters
    # an edited recap is extracted again, the others still come from the cache
    edited = replace(articles[-1], body=articles[-1].body + " Une phrase ajoutée après coup.")
    build_digest([*articles[:-1], edited], W47, CFG, state, now=RUN + timedelta(hours=2))
    assert extract_calls[extracted:] == [edited.source]


def test_a_changed_highlighter_does_not_reuse_the_cache(
    state: State, extract_calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    article = recap("salon")
    extract_cached([article], state, RUN)
    extract_cached([article], state, RUN)
    assert len(extract_calls) == 1
    monkeypatch.setattr(digest_module, "highlighter_version", lambda: "another version")
    extract_cached([article], state, RUN)
    assert len(extract_calls) == 2


def test_the_cache_survives_a_reopen_and_forgets_long_unused_entries(
    tmp_path: Path, extract_calls: list[str]
) -> None:
    article = recap("congrès")
    with State.open(tmp_path / "s.db") as state:
        extract_cached([article], state, RUN)
    with State.open(tmp_path / "s.db") as state:
        extract_cached([article], state, RUN + timedelta(days=30))
        assert len(extract_calls) == 1
        extract_cached([recap("other")], state, RUN + timedelta(days=200))
    rows = sqlite3.connect(tmp_path / "s.db").execute("SELECT count(*) FROM highlights")
    assert rows.fetchone()[0] == 1  # the entry unused for 170 days is gone


def test_cached_highlights_round_trip_exactly() -> None:
    article = recap("summit")
    h = recapmail.highlights.extract(article)
    assert h.figures  # the round trip covers figures
    assert highlights_from_json(highlights_to_json(h), article) == h
    assert highlights_from_json("{not json", article) is None
    assert highlights_from_json('{"title": "x"}', article) is None


def test_one_prolific_feed_cannot_fill_the_shortlist() -> None:
    big = [news("big", n, f"OpenStack release {n} brings 20 % faster boots") for n in range(20)]
    quiet = [news(f"quiet{n}", n, "A short note from the community") for n in range(5)]
    order = shortlist([*big, *quiet], W47)
    top = [[*big, *quiet][i].feed for i in order[:5]]
    assert top.count("big") <= 2


def test_shortlist_order_does_not_depend_on_input_order() -> None:
    items = [news(f"f{n % 3}", n, f"Item {n} about Ceph storage", day=17 + n % 5) for n in range(9)]
    forward = [items[i].source for i in shortlist(items, W47)]
    backward = [items[::-1][i].source for i in shortlist(items[::-1], W47)]
    assert forward == backward


def test_light_highlights_take_two_sentences_of_the_description() -> None:
    article = news(
        "n", 1, "Proxmox VE 9.1",
        description="Proxmox VE 9.1 est disponible. Elle apporte un nouveau tableau de bord "
        "réseau. Les notes de version détaillent le reste. Un quatrième point.",
    )  # fmt: skip
    h = light_highlights(article, "en")
    assert h.title == "Proxmox VE 9.1" and h.language == "fr"
    assert h.summary == (
        "Proxmox VE 9.1 est disponible. Elle apporte un nouveau tableau de bord réseau."
    )
    undescribed = replace(
        article,
        description=None,
        body="## Title\n\n**Read** [the notes](https://x.org/notes) first.\n\n" * 200,
    )
    summary = light_highlights(undescribed, "fr").summary
    assert summary == "Read the notes first. Read the notes first."


def test_language_guess_falls_back_on_the_hint_then_the_default() -> None:
    assert guess_language("The release of the new version is out for all of us", "fr", "fr") == "en"
    assert guess_language("Proxmox VE 9.1", "de", "fr") == "de"
    assert guess_language("Proxmox VE 9.1", None, "fr") == "fr"


def test_making_writes_nothing_of_the_published_set(tmp_path: Path) -> None:
    """Drafts consume nothing: however often a week is made, only publishing writes."""
    articles = [news("a", n, f"Ceph Squid point release {n} is out") for n in range(6)]
    with State.open(tmp_path / "s.db") as state:
        first = build_digest(articles, W47, CFG, state, now=RUN)
    spy = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    spy.executescript(
        "CREATE TABLE writes (n INTEGER);"
        "CREATE TRIGGER on_sent AFTER INSERT ON sent_articles BEGIN INSERT INTO writes VALUES (1);"
        " END;"
        "CREATE TRIGGER on_key AFTER INSERT ON sent BEGIN INSERT INTO writes VALUES (1); END;"
    )
    with State.open(tmp_path / "s.db") as state:
        again = build_digest(articles, W47, CFG, state, now=RUN + timedelta(hours=1))
        assert again.items == first.items
        newcomer = news("b", 1, "Proxmox Backup Server 4.1 released", day=20)
        newcomer = replace(newcomer, first_seen=RUN + timedelta(hours=2))
        later = build_digest([*articles, newcomer], W47, CFG, state, now=RUN + timedelta(hours=2))
        assert len(later.items) == 7  # a late item reaches the draft
        build_digest([*articles, newcomer], W48, CFG, state, now=RUN + timedelta(days=7))
        assert spy.execute("SELECT count(*) FROM writes").fetchone()[0] == 0


def test_feed_items_about_the_teams_events_come_first() -> None:
    team = replace(recap("x"), title="Journées OpenInfra Lyon 2026 : nos retours")
    about = news("press", 1, "OpenInfra Days Lyon 2026 draws a record crowd")
    other = news("press", 2, "Kubernetes 1.36 released with 40 new features")
    unrelated_year = news("blog", 3, "Lyon 2026 tram extension opens")  # one shared name only
    articles = [other, unrelated_year, about]
    assert articles[shortlist(articles, W47, [team])[0]] is about
    assert articles[shortlist(articles, W47)[0]] is other
