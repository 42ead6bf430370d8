"""cluster(): recaps of one event grouped across French and English, others kept apart, fast."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from recapmail.highlights import cluster, extract
from recapmail.model import Article, Highlights


def recap(source: str, title: str, body: str, language: str) -> Highlights:
    published = datetime(2026, 10, 9, tzinfo=UTC)
    article = Article(
        source=source,
        body=body,
        body_format="markdown",
        title=title,
        language=language,
        published=published,
    )
    return extract(article)


FRENCH = (
    "Les 6 et 7 octobre, deux consultants ont suivi les Rencontres CloudFrugal Nantes 2026.\n\n"
    "Cette troisième édition a rassemblé 420 participants venus de 9 pays, pour 36 conférences.\n\n"
    "Une mutuelle a présenté le passage de 2 400 conteneurs vers des nœuds ARM, avec une baisse "
    "de 35 % de sa facture électrique.\n\n"
    "Merci aux bénévoles, et à l'an prochain !\n"
)
ENGLISH = (
    "Our team spent two days at CloudFrugal Days Nantes 2026, the meeting of frugal cloud "
    "practitioners.\n\n"
    "The event drew 500+ attendees from 9 countries and offered 36 talks.\n\n"
    "An insurer explained how it moved 2,400 containers to ARM nodes and cut its power bill "
    "by 35%.\n"
)
OTHER_CITY = (
    "We attended CloudFrugal Days Lille 2026, a one-day meeting in the north.\n\n"
    "About 150 attendees came to hear 12 talks on measuring the energy used by clusters.\n"
)


def test_recaps_in_two_languages_under_different_type_words_are_one_event() -> None:
    french = recap(
        "fr.md", "Rencontres CloudFrugal Nantes 2026 : la sobriété en pratique", FRENCH, "fr"
    )
    english = recap("en.md", "CloudFrugal Days Nantes 2026: notes from the floor", ENGLISH, "en")
    clusters, membership = cluster([french, english])
    assert len(clusters) == 1
    event = clusters[0]
    assert set(event.members) == {"fr.md", "en.md"}
    assert membership == {"fr.md": event.id, "en.md": event.id}
    assert "cloudfrugal" in event.id and "nantes" in event.id and "2026" in event.id
    conflicts = {c.label: sorted(v for v, _ in c.values) for c in event.conflicts}
    attendees = next(v for k, v in conflicts.items() if k in {"participants", "attendees"})
    assert attendees == ["420 participants", "500+ attendees"]
    assert not any(k in {"pays", "countries"} for k in conflicts)  # 9 and 9 agree


def test_journees_and_days_of_one_event_need_no_shared_figures() -> None:
    french = recap("a.md", "Journées CloudFrugal Nantes 2026", "Une journée riche à Nantes.", "fr")
    english = recap("b.md", "CloudFrugal Days Nantes 2026", "A full day in Nantes, France.", "en")
    clusters, _ = cluster([french, english])
    assert [set(c.members) for c in clusters] == [{"a.md", "b.md"}]


def test_same_name_in_another_city_or_year_stays_apart() -> None:
    nantes = recap("nantes.md", "CloudFrugal Days Nantes 2026: notes", ENGLISH, "en")
    lille = recap("lille.md", "CloudFrugal Days Lille 2026: notes", OTHER_CITY, "en")
    earlier = recap(
        "2025.md", "CloudFrugal Days Nantes 2025: notes", ENGLISH.replace("2026", "2025"), "en"
    )
    clusters, membership = cluster([nantes, lille, earlier])
    assert clusters == ()
    assert membership == {}


def test_one_shared_word_and_a_figure_is_not_enough() -> None:
    french = recap("fr.md", "Rencontres CloudFrugal Nantes 2026", FRENCH, "fr")
    lille = recap("lille.md", "CloudFrugal Days Lille 2026", OTHER_CITY.replace("12", "36"), "en")
    assert cluster([french, lille]) == ((), {})


def week_of_items(size: int) -> list[Highlights]:
    items = []
    for i in range(size):
        event = (i // 4) % 300
        name = f"Project{event % 97} Summit City{event % 13} {2024 + event % 3}"
        title = f"{name}: what we learned" if i % 4 == 0 else f"Project{i % 97} {i}.0 released"
        article = Article(source=f"item-{i}", body=title, title=title)
        items.append(Highlights(article, title, "en", title, ()))
    return items


@pytest.mark.slow
def test_many_items_are_grouped_by_event() -> None:
    items = week_of_items(10_000)  # its speed: benchmarks/bench_scale.py
    clusters, membership = cluster(items)
    # Every event title (one item in four) recurs: each (project, city, year) is one group.
    events = {items[i].title for i in range(0, len(items), 4)}
    assert len(clusters) == len(events) == 300
    assert len(membership) == len(items) // 4
    for event in clusters:
        titles = {next(h.title for h in items if h.article.source == s) for s in event.members[:3]}
        assert len(titles) == 1


def test_cluster_leads_with_the_newsletters_language() -> None:
    french = recap("a.md", "Rencontres CloudFrugal Nantes 2026", FRENCH, "fr")
    english = recap("b.md", "CloudFrugal Days Nantes 2026", ENGLISH, "en")
    for language, lead in (("fr", french), ("en", english)):
        (made,), _ = cluster([french, english], language=language)
        assert made.summary == lead.summary
        assert made.members[0] == lead.article.source


def test_a_cluster_takes_its_highlights_in_the_newsletters_language_first() -> None:
    from recapmail.highlights import cluster
    from recapmail.model import Article, Highlights

    def item(name: str, language: str, lines: list[str]) -> Highlights:
        a = Article(source=f"/r/{name}.md", body=" ".join(lines), kind="file", title=name)
        return Highlights(article=a, title=f"KubeCon Europe 2026 {name}", language=language,
                          summary=lines[0], highlights=tuple(lines[1:]), figures=(),
                          keywords=("KubeCon Europe 2026",), hashtags=(), links=())  # fmt: skip

    fr = item("fr", "fr", ["Nous étions à la KubeCon Europe 2026 à Amsterdam.",
                           "Les opérateurs migrent vers Kubernetes en masse.",
                           "La sécurité logicielle a dominé les échanges."])  # fmt: skip
    en = item("en", "en", ["We were at KubeCon Europe 2026 in Amsterdam.",
                           "Platform teams shared their cost dashboards.",
                           "Wasm workloads were everywhere on the show floor."])  # fmt: skip
    (c,), _ = cluster([en, fr], language="fr")
    assert c.highlights[:2] == fr.highlights  # the French recap speaks first, whole
    assert set(c.highlights[2:]) <= set(en.highlights)  # English only fills what is left
