"""The period's items: window, dedupe, seen-state, late arrivals, local recaps, ordering."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recapmail.config import Config, NewsletterConfig, SourceConfig
from recapmail.digest import Selected, build_digest, dedupe, select, select_articles
from recapmail.identity import title_key
from recapmail.model import Article, Period, SourceWarning
from recapmail.period import week_period
from recapmail.state import PublishedEdition, State

W45 = week_period("2026-W45", "Europe/Paris")
W46 = week_period("2026-W46", "Europe/Paris")
W47 = week_period("2026-W47", "Europe/Paris")
W48 = week_period("2026-W48", "Europe/Paris")
RUN_W46 = datetime(2026, 11, 16, 7, tzinfo=UTC)  # Monday mornings, when the job runs
RUN_W47 = datetime(2026, 11, 23, 7, tzinfo=UTC)
RUN_W48 = datetime(2026, 11, 30, 7, tzinfo=UTC)
CFG = Config(sources=(SourceConfig("recaps", path=Path("recaps"), max_age_days=60),))


def item(n: int, published: datetime | None, seen: datetime = RUN_W47, **kw: object) -> Article:
    values: dict[str, object] = {
        "source": f"https://news.example.org/{n}",
        "url": f"https://news.example.org/{n}",
        "guid": f"https://news.example.org/{n}",
        "title": f"News number {n} about open infrastructure",
        "body": f"Body of item {n}. " * 5,
        "kind": "feed",
        "feed": "News",
        "published": published,
        "first_seen": seen,
    }
    values.update(kw)
    return Article(**values)  # type: ignore[arg-type]


def recap(name: str, seen: datetime, published: datetime | None = None) -> Article:
    return Article(source=f"/team/recaps/{name}.md", body="Compte rendu. " * 20, kind="file",
                   title=f"Compte rendu {name}", feed="recaps", published=published,
                   first_seen=seen)  # fmt: skip


@pytest.fixture
def state(tmp_path: Path) -> State:
    return State.open(tmp_path / "state.sqlite3")


def chosen(articles: list[Article], period, state: State, now: datetime) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.article.source for s in select_articles(articles, period, CFG, state, now=now)]


def test_window_keeps_items_published_in_the_week(state: State) -> None:
    inside = item(1, datetime(2026, 11, 18, tzinfo=UTC))
    sunday_night = item(2, datetime(2026, 11, 22, 22, 30, tzinfo=UTC))  # 23:30 in Paris
    monday_paris = item(3, datetime(2026, 11, 22, 23, 30, tzinfo=UTC))  # already W48 in Paris
    before = item(4, datetime(2026, 11, 10, tzinfo=UTC))
    got = chosen([inside, sunday_night, monday_paris, before], W47, state, RUN_W47)
    assert got == [inside.source, sunday_night.source]


def test_dedupe_by_guid_link_file_and_title() -> None:
    a = item(1, datetime(2026, 11, 18, tzinfo=UTC), feed="A")
    same_guid = replace(a, feed="B", url="https://mirror.example.org/x", source="m")
    same_link = item(
        9, a.published, guid="other", url="http://www.news.example.org/1/?utm_source=x"
    )
    retitled = item(
        7, a.published + timedelta(days=2), title="NEWS number 1 — about open infrastructure!"
    )
    far_apart = item(8, a.published + timedelta(days=30), title=a.title)
    local = Article(
        source="/team/recaps/1.md",
        body="Notre compte rendu, plus long. " * 30,
        kind="file",
        url="https://news.example.org/1",
        title="Notre compte rendu",
    )
    groups = dedupe([a, same_guid, same_link, retitled, far_apart, local])
    assert len(groups) == 2
    merged = groups[0]
    assert merged.article.source == "/team/recaps/1.md"  # the team's recap wins
    assert merged.article.published == a.published  # metadata merged from the feed copy
    assert {"g:https://news.example.org/1", "u:news.example.org/1"} <= set(merged.keys)
    assert groups[1].article is far_apart


@pytest.mark.parametrize("language", ["fr", "en"])
def test_translations_of_one_article_appear_once_in_the_newsletters_language(
    language: str,
) -> None:
    """A site with its posts in two languages: "/fr/post/x" is "/post/x" translated."""
    day = datetime(2026, 11, 18, tzinfo=UTC)
    english = item(1, day, url="https://blog.example.io/post/runlore/", guid="en-1",
                   title="RunLore: the SRE buddy", language="en", feed="Blog EN")  # fmt: skip
    french = item(2, day, url="https://blog.example.io/fr/post/runlore/", guid="fr-1",
                  title="RunLore : ton buddy SRE", language="fr", feed="Blog FR")  # fmt: skip
    german_path = item(3, day, url="https://blog.example.io/de-at/post/runlore", guid="de-1",
                       title="RunLore auf Deutsch", language="de", feed="Blog DE")  # fmt: skip
    not_a_language = item(4, day, url="https://blog.example.io/go/post/runlore/", guid="go-1",
                          title="A Go post about something else", feed="Go")  # fmt: skip
    groups = dedupe([english, french, german_path, not_a_language], language)
    assert len(groups) == 2
    assert groups[0].article.language == language
    assert {"u:blog.example.io/post/runlore", "u:blog.example.io/fr/post/runlore"} <= set(
        groups[0].keys
    )
    assert groups[1].article is not_a_language


def test_title_keys() -> None:
    assert title_key("Kubernetes 1.35 : ce qui change") == title_key(
        "kubernetes 1.35 – ce qui change !"
    )
    assert title_key("Sécurité : réunion") == title_key(
        "Securite reunion"
    )  # too short? no: 2 words
    assert title_key("Update") is None and title_key(None) is None


def publish(state: State, period: Period, picked: list[Selected], made_at: datetime) -> None:
    """What `recapmail publish` records of a draft made at `made_at` holding `picked`."""
    edition = PublishedEdition(
        period.label, period.start, period.end, made_at, made_at + timedelta(hours=2), "publish"
    )
    assert state.publish(edition, [(s.keys, s.article) for s in picked]).done


def test_making_consumes_nothing_and_a_published_item_never_comes_back(state: State) -> None:
    one = item(1, datetime(2026, 11, 18, tzinfo=UTC))
    two = item(2, datetime(2026, 11, 19, tzinfo=UTC))
    first = select_articles([one, two], W47, CFG, state, now=RUN_W47)
    assert chosen([one, two], W47, state, RUN_W47) == [one.source, two.source]  # nothing taken
    publish(state, W47, first, RUN_W47)
    # a week later the feed still lists them: W48 must not repeat them
    assert chosen([one, two, item(3, datetime(2026, 11, 25, tzinfo=UTC), seen=RUN_W48)],
                  W48, state, RUN_W48) == ["https://news.example.org/3"]  # fmt: skip
    # making W47 again after the feed dropped item 1 still gives both, as they went out
    assert sorted(chosen([two], W47, state, RUN_W48)) == [one.source, two.source]
    edited = replace(two, title="News number 2, title fixed after it went out")
    again = select(
        [edited, item(4, datetime(2026, 11, 20, tzinfo=UTC), seen=RUN_W48)], W47, CFG, state
    )
    assert sorted(s.article.title or "" for s in again.items) == [one.title, two.title]
    forced = select([edited], W47, CFG, state, force=True)  # --force: as the sources are now
    assert sorted(s.article.title or "" for s in forced.items) == [one.title, edited.title]


def test_a_feed_down_last_week_is_picked_up_next_week(state: State) -> None:
    on_time = item(1, datetime(2026, 11, 12, tzinfo=UTC), seen=RUN_W46)
    publish(state, W46, select_articles([on_time], W46, CFG, state, now=RUN_W46), RUN_W46)
    # published in W46, but its feed was down when W46 was made: first seen at the W47 run
    late = item(2, datetime(2026, 11, 13, tzinfo=UTC), seen=RUN_W47)
    before_any_edition = item(3, datetime(2026, 11, 1, tzinfo=UTC), seen=RUN_W47)
    assert chosen([on_time, late, before_any_edition], W47, state, RUN_W47) == [late.source]


def test_a_skipped_week_rolls_forward_within_the_age_limit(state: State) -> None:
    cfg = replace(
        CFG, sources=(*CFG.sources, SourceConfig("News", url="https://n", max_age_days=12))
    )
    on_time = item(1, datetime(2026, 11, 5, tzinfo=UTC), seen=RUN_W46)
    publish(state, W45, select_articles([on_time], W45, cfg, state, now=RUN_W46), RUN_W46)
    w46 = item(2, datetime(2026, 11, 12, tzinfo=UTC), seen=RUN_W46)  # W46, W47: never made
    w47 = item(3, datetime(2026, 11, 18, tzinfo=UTC), seen=RUN_W47)
    w48 = item(4, datetime(2026, 11, 25, tzinfo=UTC), seen=RUN_W48)
    got = select([on_time, w46, w47, w48], W48, cfg, state, now=RUN_W48)
    assert [s.article.source for s in got.items] == [w47.source, w48.source]
    assert got.since == W45.end and got.too_old == 1  # w46: 18 days before W48's end, counted
    wide = select([on_time, w46, w47, w48], W48, CFG, state, now=RUN_W48)  # default limit
    assert [s.article.source for s in wide.items] == [w46.source, w47.source, w48.source]
    assert wide.too_old == 0


def test_first_run_does_not_flood_with_old_items(state: State) -> None:
    history = [item(n, datetime(2026, 11, 2 + n, tzinfo=UTC), seen=RUN_W47) for n in range(8)]
    assert chosen(history, W47, state, RUN_W47) == []


def test_items_seen_after_a_draft_was_made_go_in_the_next_edition(state: State) -> None:
    made = select_articles([], W47, CFG, state, now=RUN_W47)
    publish(state, W47, made, RUN_W47)  # made Monday, published in the afternoon
    published_late = item(5, datetime(2026, 11, 21, tzinfo=UTC), seen=RUN_W47 + timedelta(hours=1))
    assert chosen([published_late], W47, state, RUN_W48) == []  # W47 is what went out
    assert chosen([published_late], W48, state, RUN_W48) == [published_late.source]


def test_local_recaps_go_out_once_in_the_first_published_edition(state: State) -> None:
    old_but_new_here = recap("summit", seen=RUN_W47, published=datetime(2026, 10, 20, tzinfo=UTC))
    too_old = recap("2019", seen=RUN_W47, published=datetime(2019, 5, 1, tzinfo=UTC))
    undated = recap("notes", seen=RUN_W47)
    got = select([old_but_new_here, too_old, undated], W47, CFG, state, now=RUN_W47)
    assert [s.article.source for s in got.items] == [old_but_new_here.source, undated.source]
    assert got.too_old == 1
    assert chosen([old_but_new_here, undated], W48, state, RUN_W48) == [
        old_but_new_here.source,
        undated.source,
    ]  # W47 was only made: they wait for the first edition that goes out
    publish(state, W47, got.items, RUN_W47)
    assert chosen([old_but_new_here, undated], W48, state, RUN_W48) == []
    later = select([old_but_new_here, too_old, undated], W48, CFG, state, now=RUN_W48)
    assert later.too_old == 0  # old already when W47 was made: not news to count again


def test_undated_feed_items_are_dated_by_first_sight(state: State) -> None:
    fresh = item(1, None, seen=RUN_W47)  # first seen while W47's digest is made
    stale = item(2, None, seen=RUN_W46 - timedelta(days=7))
    assert chosen([fresh, stale], W47, state, RUN_W47) == [fresh.source]


@pytest.mark.slow
def test_build_digest_orders_marks_shown_and_keeps_warnings(state: State) -> None:
    cfg = replace(CFG, newsletter=NewsletterConfig(max_items=2))
    feed_items = [item(n, datetime(2026, 11, 17 + n, tzinfo=UTC)) for n in range(3)]
    team = recap("kubecon", seen=RUN_W47)
    warning = SourceWarning("Broken feed", "HTTP 500 Internal Server Error")
    digest = build_digest([*feed_items, team], W47, cfg, state, warnings=[warning], now=RUN_W47)
    sources = [i.highlights.article.source for i in digest.items]
    assert sources[0] == team.source  # the team's own recap leads
    assert sorted(sources) == sorted([*[a.source for a in feed_items], team.source])
    assert [i.shown for i in digest.items] == [True, True, False, False]
    assert digest.warnings == (warning,)
    assert digest.period == W47 and digest.title == cfg.newsletter.title
    again = build_digest([*feed_items, team], W47, cfg, state, now=RUN_W47 + timedelta(hours=1))
    assert [i.highlights.article.source for i in again.items] == sources
    still_draft = build_digest([*feed_items, team], W48, cfg, state, now=RUN_W48)
    assert [i.highlights.article.source for i in still_draft.items] == [team.source]
    assert digest.items[0].keys == (f"p:{Path(team.source).resolve()}",)
    went = [Selected(i.highlights.article, i.keys) for i in digest.items]
    publish(state, W47, went, RUN_W47)
    nothing_new = build_digest([*feed_items, team], W48, cfg, state, now=RUN_W48)
    assert nothing_new.items == ()


def moved(article: Article, **kw: object) -> Article:
    """The same post after its site moved to a new domain: new GUID and link at once."""
    n = article.source.rsplit("/", 1)[1]
    link = f"https://blog.example.net/posts/{n}/"
    values: dict[str, object] = {"first_seen": RUN_W48, **kw}  # new keys: new to the state
    return replace(article, source=link, url=link, guid=f"tag:blog.example.net,2026:{n}", **values)  # type: ignore[arg-type]


def test_a_site_moved_to_a_new_domain_sends_nothing_again(state: State) -> None:
    went = [item(n, datetime(2026, 11, 16 + n, 9, tzinfo=UTC)) for n in range(4)]
    publish(state, W47, select_articles(went, W47, CFG, state, now=RUN_W47), RUN_W47)
    # the new site dates its posts at midnight in Paris: the day before, in UTC
    midnight = datetime(2026, 11, 18, 23, tzinfo=UTC)
    again = [moved(a) for a in went[:3]] + [moved(went[3], published=midnight)]
    new = item(9, datetime(2026, 11, 25, tzinfo=UTC), seen=RUN_W48)
    assert chosen([*again, moved(new)], W48, state, RUN_W48) == [moved(new).source]
    # not a title alone: the same title ten days later is another post
    monthly = moved(went[0], published=datetime(2026, 11, 26, tzinfo=UTC))
    assert chosen([monthly], W48, state, RUN_W48) == [monthly.source]
    # nor a short title, too common to tell two posts apart
    short = [replace(a, title="Release notes") for a in went]
    publish(state, W46, select_articles(short, W46, CFG, state, now=RUN_W46), RUN_W46)
    brief = moved(replace(short[0], published=datetime(2026, 11, 24, tzinfo=UTC)))
    assert chosen([brief], W48, state, RUN_W48) == [brief.source]


def test_an_item_re_dated_into_a_week_that_went_out_reaches_the_next_edition(
    state: State,
) -> None:
    scheduled = item(1, datetime(2026, 11, 26, tzinfo=UTC), seen=RUN_W47 - timedelta(days=2))
    on_time = item(2, datetime(2026, 11, 18, tzinfo=UTC), seen=RUN_W47 - timedelta(days=2))
    made = select_articles([scheduled, on_time], W47, CFG, state, now=RUN_W47)
    assert [s.article.source for s in made] == [on_time.source]  # dated W48 when W47 was made
    publish(state, W47, made, RUN_W47)
    # the feed then dates it back into W47, which went out without it: W48 holds it
    re_dated = replace(scheduled, published=datetime(2026, 11, 19, tzinfo=UTC))
    assert chosen([re_dated, on_time], W48, state, RUN_W48) == [re_dated.source]
    publish(state, W48, select_articles([re_dated], W48, CFG, state, now=RUN_W48), RUN_W48)
    # re-dated again, into either week, after it went out: never a second time
    week_after = week_period("2026-W49", "Europe/Paris")
    for day in (19, 26, 30):
        back = replace(scheduled, published=datetime(2026, 11, day, 12, tzinfo=UTC))
        assert chosen([back, on_time], week_after, state, RUN_W48 + timedelta(days=7)) == []
