"""extract(), hashtag() and cluster() on articles written for these tests (data/highlights)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from recapmail.highlights import cluster, extract, hashtag
from recapmail.model import Article, Highlights
from recapmail.sources.files import read_file

DATA = Path(__file__).parent / "data" / "highlights"


def load(name: str) -> Highlights:
    return extract(read_file(DATA / name))


@pytest.fixture(scope="module")
def summit() -> list[Highlights]:
    return [
        load("lyon_sommet_fr.md"),
        load("lyon_summit_en.txt"),
        load("lyon_summit_blog_en.md"),
        load("kubernetes_release_fr.md"),
    ]


def test_french_recap(summit: list[Highlights]) -> None:
    h = summit[0]
    assert h.language == "fr"
    assert h.title == "Retour sur le Cloud Libre Summit 2025 à Lyon"
    assert h.summary.startswith("Les 12 et 13 juin derniers")
    assert "2 300 participants" in h.summary
    text = " ".join(h.highlights)
    assert "certification" in text
    assert "18 %" in text
    assert "Merci" not in text and "N'hésitez" not in text  # thanks and calls to action
    assert all(sentence not in h.summary for sentence in h.highlights)
    assert ("plus de 2 300", 2300.0, "participants") in [
        (f.value, f.number, f.label) for f in h.figures
    ]
    assert ("près d'un million", 1e6, "téléchargements") in [
        (f.value, f.number, f.label) for f in h.figures
    ]
    assert h.keywords[0] == "Cloud Libre Summit 2025"
    assert h.hashtags[0] == "#CloudLibreSummit2025"
    assert h.links == (
        "https://video.example.org/cloud-libre-2025",
        "https://cloudlibre.example.org/programme",
    )


def test_pasted_english_recap_loses_its_leftovers(summit: list[Highlights]) -> None:
    h = summit[1]
    assert h.language == "en"
    assert h.title == "Cloud Libre Summit 2025: What We Learned in Lyon"
    everything = " ".join([h.title, h.summary, *h.highlights])
    assert "Image content" not in everything
    assert "writes:" not in everything
    assert '"' not in everything  # the quote wrapping the whole post is not speech
    assert {(f.number, f.label) for f in h.figures} >= {(1900.0, "attendees"), (60.0, "countries")}


def test_highlights_are_short_and_never_cut_mid_word(summit: list[Highlights]) -> None:
    for h in summit:
        assert 1 <= len(h.highlights) <= 5
        for text in h.highlights:
            assert len(text) <= 220
            if text.endswith("…"):
                words = re.findall(r"\w+", text)
                source = " ".join(h.article.body.split())
                assert re.search(rf"\b{re.escape(words[-1])}\b", source)


def test_near_identical_sentences_give_one_highlight() -> None:
    body = (
        "The Open Cloud Forum 2025 opened in Nantes with 800 attendees and 40 sponsors.\n\n"
        "The foundation announced that the Harbor Lite project joins its incubator in March.\n\n"
        "As announced on stage, the Harbor Lite project joins the foundation's incubator "
        "in March.\n\n"
        "Operators from six countries compared their GPU scheduling setups in a long workshop.\n\n"
        "A new security working group was launched with members from twelve companies.\n"
    )
    h = extract(Article(source="forum.md", body=body, body_format="markdown"))
    harbor = [t for t in (h.summary, *h.highlights) if "Harbor Lite" in t]
    assert len(harbor) == 1
    assert h.summary.startswith("The Open Cloud Forum 2025 opened in Nantes")
    assert len(h.highlights) == 2  # the repeat is left out, not the other facts


def test_untitled_text_gets_a_title_built_from_its_key_terms() -> None:
    body = (
        "Notre équipe a passé deux jours au Salon Cloud Ouest 2025, à Rennes, pour suivre les "
        "conférences consacrées à la souveraineté numérique et à la migration VMware.\n"
        "La souveraineté numérique a occupé la plupart des tables rondes, avec des "
        "hébergeurs régionaux.\n"
        "La migration VMware a été le sujet des ateliers les plus suivis, et le Salon Cloud "
        "Ouest 2025 a réuni 650 visiteurs.\n"
    )
    h = extract(Article(source="salon.txt", body=body))
    assert h.language == "fr"
    assert h.title.startswith("Salon Cloud Ouest 2025 : ")
    assert "souveraineté numérique" in h.title or "migration VMware" in h.title
    assert not h.title.endswith("…")
    assert len(h.title) <= 120


@pytest.mark.slow
def test_short_feed_item() -> None:
    item = Article(
        source="https://example.org/feed/1",
        kind="feed",
        title="Kubeflow 3.2 released",
        body="Kubeflow 3.2 ships a new experiment tracker and stable shared GPUs. "
        "The project now counts 240 regular contributors.",
    )
    h = extract(item)
    assert h.title == "Kubeflow 3.2 released"
    assert h.language == "en"
    assert h.summary.startswith("Kubeflow 3.2 ships a new experiment tracker")
    assert [(f.number, f.label) for f in h.figures] == [(240.0, "regular contributors")]


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("souveraineté numérique", "#SouveraineteNumerique"),
        ("VMware migration", "#VMwareMigration"),
        ("OpenInfra Summit Europe 2025", "#OpenInfraSummitEurope2025"),
        ("l'open source", "#OpenSource"),
        ("l'OpenInfra", "#OpenInfra"),
        ("œuvre", "#Oeuvre"),
        ("kubecon", "#KubeCon"),
        ("openstack", "#OpenStack"),
        ("KCD", "#KCD"),
        ("CAC", None),
        ("ATT", None),
        ("UUID_OF_SECRET", None),
        ("secret.xml file", None),
        ("X-Auth-Token", None),
        ("CNCF", "#CNCF"),
        ("w1p2", None),
        ("region R2", None),
        ("IPs", None),
        ("CLIs", None),
        ("LLMs", "#LLM"),
        ("I'll", None),
        ("CLAUDE.md", None),
        ("K8s", "#K8s"),
        ("DeepSeek V4 Pro", "#DeepSeekV4Pro"),
        ("2025", None),
        ("  ", None),
    ],
)
def test_hashtag(text: str, tag: str | None) -> None:
    assert hashtag(text) == tag


def test_the_posts_and_the_json_spell_hashtags_with_one_function() -> None:
    from recapmail.render import shorten

    assert shorten.hashtag is hashtag


def test_three_recaps_of_one_event_make_one_cluster_with_conflicts(
    summit: list[Highlights],
) -> None:
    clusters, membership = cluster(summit)
    assert len(clusters) == 1
    event = clusters[0]
    assert event.id == "cloud-libre-summit-2025"
    assert event.title == "Cloud Libre Summit 2025"
    assert set(event.members) == {h.article.source for h in summit[:3]}
    assert membership == {h.article.source: event.id for h in summit[:3]}
    conflicts = {c.label: dict(c.values) for c in event.conflicts}
    countries = next(v for label, v in conflicts.items() if label in {"pays", "countries"})
    assert set(countries) == {"41 pays", "60+ countries"}
    attendees = next(v for label, v in conflicts.items() if label in {"participants", "attendees"})
    assert "more than 1,900 attendees" in attendees  # the qualifier is part of the figure
    texts = list(event.highlights)
    assert len(texts) == len(set(texts))
    assert all(len(t) <= 220 for t in texts)
    assert event.hashtags[0] == "#CloudLibreSummit2025"


def test_articles_about_different_events_stay_apart(summit: list[Highlights]) -> None:
    clusters, membership = cluster([summit[0], summit[3]])
    assert clusters == ()
    assert membership == {}


def test_hashtags_put_the_event_and_projects_before_places_and_spelled_out_acronyms() -> None:
    body = (
        "Nos notes du Sommet Flotte Europe 2026\n"
        "Le Sommet Flotte Europe 2026 s'est tenu du 3 au 5 mars à Porto et a réuni 2 100 "
        "participants autour de Kubernetes.\n"
        "La fondation CNCF a annoncé que le planificateur de lots (PDL) devient stable dans "
        "Kubernetes 1.40, avec 30 nouveautés.\n"
        "Une équipe de Porto Digital a montré comment elle signe ses images avec Sigstore.\n"
        "Prochaine étape pour nous : tester PDL sur notre plateforme.\n"
    )
    h = extract(Article(source="notes.txt", body=body))
    assert h.hashtags[0] == "#SommetFlotteEurope2026"
    assert "#Kubernetes" in h.hashtags
    assert "#PDL" not in h.hashtags  # a bare three-letter acronym people do not tag
    assert "#CNCF" in h.hashtags
    assert "#Porto" not in h.hashtags[:4]  # the city it was held in comes last, if at all
    assert all(len(tag) <= 25 for tag in h.hashtags)


def test_a_long_event_name_is_tagged_by_its_brand() -> None:
    body = (
        "CloudWeave + MeshCon North America 2026 s'est tenue à Denver avec 5 000 participants.\n"
        "CloudWeave a annoncé 12 nouveaux membres et un programme de certification.\n"
    )
    h = extract(
        Article(
            source="cw.txt", body=body, title="Nos notes de CloudWeave + MeshCon North America 2026"
        )
    )
    assert h.hashtags[0] == "#CloudWeave"
    assert not any(len(tag) > 25 for tag in h.hashtags)


def test_talk_titles_as_headings_lead_to_what_each_talk_was_about() -> None:
    # Each section opens with who spoke and where the author met them; the sentence that names
    # the heading's tool says what the talk was about, and that is what a reader needs.
    h = extract(read_file(DATA / "journee_devops_blog_fr.md"), 2)
    assert h.language == "fr"
    assert any("Tekton" in x for x in h.highlights)
    assert any("VictoriaMetrics" in x for x in h.highlights)
    assert not any("croisée" in x for x in h.highlights)


def test_a_nationality_is_not_a_keyword_nor_a_hashtag() -> None:
    body = (
        "Compte rendu des Rencontres Nuage Ouvert 2026\n"
        "Organisées par le Français Nuagerie, les Rencontres Nuage Ouvert 2026 ont réuni 400 "
        "personnes à Lille autour d'OpenStack et de Ceph.\n"
        "Les Européens présents ont comparé leurs migrations depuis VMware ; un Allemand de "
        "Hetzner a présenté 3 000 nœuds Ceph en production.\n"
        "L'English track accueillait les intervenants venus de Dublin.\n"
    )
    h = extract(Article(source="rencontres.txt", body=body))
    nationalities = {"Français", "Européens", "Allemand", "English"}
    assert not nationalities & set(h.keywords), h.keywords
    assert not {"#Francais", "#Europeens", "#Allemand", "#English"} & set(h.hashtags)
    assert "#OpenStack" in h.hashtags and "#Ceph" in h.hashtags


_TALKS_WITH_SPEAKER_LINES = """---
title: Nos notes du Cloud Ouest 2026
---

Jeudi, trois collègues de l'équipe ont passé la journée au Cloud Ouest 2026, à Brest.

### Conférence 1 : Des clusters sur trois clouds avec Crossplane

### Conférencier : Gilles Martin

Gilles nous a accueillis avec beaucoup d'humour et une démo préparée la veille au soir.
Un atelier qui montre comment piloter plusieurs clusters depuis un seul dépôt grâce à Crossplane.

### Conférence 2 : Des secrets sans mot de passe avec SPIFFE

### Conférencière : Claire Dubois

Claire, de chez Armor Data, a commencé par nous raconter son arrivée dans l'équipe sécurité.
Elle a expliqué comment SPIFFE remplace les mots de passe entre services par des identités.
"""


def test_a_speaker_line_under_a_talk_title_keeps_the_talks_subject(tmp_path: Path) -> None:
    # "Conférencier : X" is who gave the talk, not a new section: the sentence that names the
    # talk's tool is still the one that says what the talk was about.
    (tmp_path / "ouest.md").write_text(_TALKS_WITH_SPEAKER_LINES, "utf-8")
    h = extract(read_file(tmp_path / "ouest.md"), 2)
    assert any("Crossplane" in x for x in h.highlights), h.highlights
    assert any("SPIFFE" in x for x in h.highlights), h.highlights
    assert not any("humour" in x or "arrivée" in x for x in h.highlights)


def test_the_sentence_telling_a_key_figure_is_a_highlight() -> None:
    body = (
        "En janvier, j'ai rejoint l'équipe qui organise le KCD Bretagne, à Rennes.\n\n"
        "Ma première mission a été de trouver des sponsors, avec Paul et Yann de Breizh Cloud.\n\n"
        "KCD Bretagne était d'abord l'idée des meetups CNCF Rennes et CNCF Brest.\n\n"
        "Le jour J, Julie Le Goff a ouvert la keynote sur GitOps avec ArgoCD et Flux.\n\n"
        "Malgré la tempête, nous avons accueilli près de 800 personnes sur site.\n\n"
        "J'ai aussi croisé Hugo et Marion de Kerlab, que je suivais sur Mastodon.\n\n"
        "Le soir, nous avons fini au bar du Liberté avec les speakers de Nantes.\n"
    )
    h = extract(Article(source="kcd.md", body=body), 1)
    assert h.figures[0].label == "personnes"
    assert "800 personnes" in h.highlights[0], h.highlights


def test_a_lead_naming_people_and_places_is_no_roll_call() -> None:
    from recapmail.highlights.ranking import score_sentence

    lead = (
        "Les 5 et 6 mai derniers, Marc et Julie, experts de Nuagerie Services, se sont rendus au "
        "Sommet Cloud Ouvert 2026, organisé au Centre des Congrès de Lyon."
    )
    roll_call = "J'ai croisé Katia, Stéphane, Andrea, Paul et Yann de Kerlab, Armor Data et Breizh."
    keywords = ["Sommet Cloud Ouvert 2026"]
    assert score_sentence(lead, "paragraph", (), keywords, 0.0) > 1.0 + score_sentence(
        roll_call, "paragraph", (), keywords, 0.0
    )
