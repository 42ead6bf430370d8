"""Figures: the number, its value as written and what it counts, in both number formats."""

from __future__ import annotations

import pytest

from recapmail.highlights import extract
from recapmail.highlights.figures import figures_in, find_figures, parse_number, phrase
from recapmail.model import Article


def figures(text: str, language: str) -> list[tuple[str, float, str]]:
    return [(f.value, f.number, f.label) for f in find_figures([text], language)]


@pytest.mark.parametrize(
    ("raw", "language", "number"),
    [
        ("1 200", "fr", 1200.0),
        ("1\u202f200", "fr", 1200.0),
        ("1\u00a0200\u00a0000", "fr", 1_200_000.0),
        ("1,200", "en", 1200.0),
        ("1,200,000", "en", 1_200_000.0),
        ("8,02", "fr", 8.02),
        ("8.02", "en", 8.02),
        ("1.200", "fr", 1200.0),
        ("24.81", "en", 24.81),
    ],
)
def test_number_formats(raw: str, language: str, number: float) -> None:
    assert parse_number(raw, language) == pytest.approx(number)


def test_french_counts_and_percent() -> None:
    text = (
        "L'édition a réuni plus de 1\u202f200 participants venus de 187 pays, "
        "et l'adoption est en hausse de 32\u00a0% sur 2025."
    )
    found = figures(text, "fr")
    assert ("plus de 1\u202f200", 1200.0, "participants") in found  # the qualifier is kept
    assert ("187", 187.0, "pays") in found
    assert ("32\u00a0%", 32.0, "de hausse de l'adoption") in found  # what rose
    assert not any(number == 2025 for _, number, _ in found)


def test_english_plus_suffix_ordinals_and_currency() -> None:
    text = (
        "Over 1,200+ attendees from 65+ countries celebrated the 15th anniversary, "
        "while investment reached $24.81 billion."
    )
    found = figures(text, "en")
    assert ("1,200+", 1200.0, "attendees") in found
    assert ("65+", 65.0, "countries") in found
    assert ("15th", 15.0, "anniversary") in found
    assert ("$24.81 billion", 24.81e9, "investment") in found


def test_written_out_numbers_keep_their_qualifier() -> None:
    found = figures("On compte près d'un million de contributions sur OpenStack.", "fr")
    assert found == [("près d'un million", 1_000_000.0, "contributions")]
    found = figures("FOSDEM had more than a thousand talks and five parallel tracks.", "en")
    assert ("more than a thousand", 1000.0, "talks") in found
    assert ("five", 5.0, "parallel tracks") in found


@pytest.mark.parametrize(
    "text",
    [
        "Les 17 et 18 octobre derniers, nous étions à Paris.",
        "The summit was held from October 17–19 in Paris-Saclay.",
        "The cluster runs 2,000 NVIDIA H100 GPUs and Qwen3-8B models."[:31] + " H100 and Qwen3-8B.",
        "Rendez-vous en 2026 pour la prochaine édition.",
        "Ce talk dure 2-4 heures.",
    ],
)
def test_dates_versions_years_and_identifiers_are_not_figures(text: str) -> None:
    assert figures(text, "fr" if "é" in text else "en") == []


def test_figures_are_ranked_and_deduplicated() -> None:
    sentences = [
        "The conference welcomed 3,000 attendees.",
        "Again: 3,000 attendees came, up 25% on last year.",
        "It lasted 3 hours on the first evening.",
    ]
    found = find_figures(sentences, "en")
    assert {f.value for f in found[:2]} == {"25%", "3,000"}
    assert [f.sentence for f in found if f.number == 3000] == [sentences[0]]
    assert all(f.label != "hours" for f in found[:2])


@pytest.mark.parametrize(
    ("text", "language", "label"),
    [
        (
            "La coopérative a réduit ses serveurs, avec une baisse de 25 % de ses coûts d'énergie.",
            "fr",
            "de baisse des coûts d'énergie",
        ),
        (
            "Le salon a reçu 900 visiteurs de 11 pays, soit une hausse de 15 % en un an.",
            "fr",
            "de visiteurs en plus",
        ),
        (
            "Sur le campus, la consommation est en baisse de 12 % depuis mars.",
            "fr",
            "de baisse de la consommation",
        ),
        (
            "The lab reported a 17% gain in storage efficiency after the move.",
            "en",
            "gain in storage efficiency",
        ),
        ("The school cut its hosting bill by 30% within a year.", "en", "lower hosting bill"),
        ("Some 2,000 members joined, up 20% on last year.", "en", "more members"),
    ],
)
def test_a_change_says_what_rose_or_fell(text: str, language: str, label: str) -> None:
    percent = [f for f in find_figures([text], language) if "%" in f.value]
    assert [f.label for f in percent] == [label]
    assert len(label) <= 40


def test_a_counted_thing_outranks_a_bare_change() -> None:
    text = "Une banque a migré 3 200 machines virtuelles, et le budget est resté en hausse de 5 %."
    found = find_figures([text], "fr")
    assert found[0].label == "machines virtuelles"


@pytest.mark.parametrize(
    ("sentence", "value", "label"),
    [
        ("An operator showed a 256-GPU cluster scheduled with Nova.", "256", "GPU cluster"),
        ("It was a 3-day event in Paris.", "3-day", "event"),
        ("Key Topics from the 3-Day Event", "3-Day", "event"),
    ],
)
def test_hyphenated_counts_read_naturally(sentence: str, value: str, label: str) -> None:
    found = [f for _, f in figures_in(sentence, "en")]
    assert [(f.value, f.label) for f in found] == [(value, label)]


@pytest.mark.parametrize(
    ("sentence", "language", "expected"),
    [
        ("Avec près d'un million de contributions sur OpenStack.", "fr",
         "près d'un million de contributions"),
        ("Plus de 2 millions d'utilisateurs ont migré.", "fr",
         "plus de 2 millions d'utilisateurs"),
        ("Les Journées ont réuni 1 200 participants.", "fr", "1 200 participants"),
        ("The summit drew 1,200 attendees.", "en", "1,200 attendees"),
    ],
)  # fmt: skip
def test_a_figure_reads_as_its_sentence_words_it(
    sentence: str, language: str, expected: str
) -> None:
    (figure,) = find_figures([sentence], language)
    assert phrase(figure) == expected


def test_releases_are_figures_labelled_as_releases() -> None:
    found = figures("Kubernetes 1.21 est sortie ; la v1.14 aussi, et tout disparaît en 1.25.", "fr")
    assert ("1.21", 1.21, "version de Kubernetes") in found
    assert ("1.14", 1.14, "version") in found
    assert ("1.25", 1.25, "version") in found
    assert ("2026.1", 2026.1, "version d'OpenStack") in figures("OpenStack 2026.1 arrive.", "fr")
    assert figures("The cluster grew 1.5 times in Berlin.", "en") == []


@pytest.mark.parametrize(
    ("text", "value", "label"),
    [
        ("It takes 207 days for a company to realize there was a breach.", "207", "days"),
        ("Le nombre de participants a doublé en 6 mois.", "6", "mois"),
        ("Il a présenté la semaine de 4 jours instaurée chez LDLC.", "4", "jours"),
        ("Le cluster est déployé en 5min par Terraform.", "5", "min"),
        ("Les modèles tournent sur un GPU L4 24GB.", "24", "GB"),
        ("Avec 150 conférences sur deux jours.", "deux", "jours"),
    ],
)
def test_durations_and_glued_units_are_figures(text: str, value: str, label: str) -> None:
    found = figures(text, "fr" if " la " in text or "Le" in text or "Avec" in text else "en")
    assert (value, label) in [(v, lab) for v, _, lab in found]


def test_french_texts_group_digits_the_french_way() -> None:
    found = figures("Plus de 1000 personnes et 1.200 visiteurs, soit 12.5 % de plus.", "fr")
    values = [v for v, _, _ in found]
    assert "plus de 1\u202f000" in values
    assert "1\u202f200" in values
    assert any(v.startswith("12,5") for v in values)
    assert ("1 200+", 1200.0, "visiteurs") in figures("On a vu 1 200+ visiteurs.", "fr")


@pytest.mark.parametrize(
    ("sentence", "language", "value"),
    [
        ("Nous avons eu quasiment 1000 personnes sur site.", "fr", "quasiment 1\u202f000"),
        ("Le salon a attiré pas loin de 300 visiteurs.", "fr", "pas loin de 300"),
        ("We welcomed roughly 300 attendees.", "en", "roughly 300"),
    ],
)
def test_an_approximation_stays_with_its_figure(sentence: str, language: str, value: str) -> None:
    assert value in [f.value for _, f in figures_in(sentence, language)]


def test_the_lead_figure_is_about_the_event_not_the_background_it_recalls() -> None:
    body = (
        "Les 3 et 4 mars, deux consultants de l'équipe se sont rendus au Sommet Cloud Ouvert.\n\n"
        "Cette édition a réuni plus de 900 participants venus de 12 pays.\n\n"
        "La fondation compte plus de 80 000 membres dans le monde et près d'un million de "
        "contributions depuis 2010.\n"
    )
    found = extract(Article(source="sommet.md", body=body, title="Sommet Cloud Ouvert")).figures
    assert (found[0].value, found[0].label) == ("plus de 900", "participants")
    assert ("12", "pays") in [(f.value, f.label) for f in found]


def test_a_quoted_english_passage_of_a_french_post_gives_its_figures() -> None:
    body = (
        "Mardi, j'ai suivi la journée Platform Engineering, avec plusieurs talks sur la "
        "sécurité des plateformes internes.\n\n"
        "L'oratrice a cité un rapport récent sur les brèches :\n\n"
        "> It takes 207 days for a company to realize there was a breach, and 70 days to "
        "contain it.\n\n"
        "Elle a ensuite montré comment une plateforme interne réduit ce délai, avec un « il "
        "faut 10 minutes pour corriger » qui a marqué la salle.\n"
    )
    result = extract(Article(source="mardi.md", body=body, title="La journée Platform Engineering"))
    assert result.language == "fr"
    found = {(f.value, f.label) for f in result.figures}
    assert {("207", "days"), ("70", "days"), ("10", "minutes")} <= found


@pytest.mark.parametrize(
    ("sentence", "language", "label"),
    [
        ("Sur AWS, le budget mensuel se situe entre 40 000 et 80 000 $.", "fr", "budget mensuel"),
        ("En spot, on reste largement au-dessus de 15 000 $/mois.", "fr", "par mois"),
        ("The managed plan costs $20/month for each seat.", "en", "per month"),
        ("La stack est 100% self-hosted aujourd'hui, sans fournisseur.", "fr", "self-hosted"),
    ],
)
def test_a_label_holds_no_verb_nor_adverb_of_time(sentence: str, language: str, label: str) -> None:
    found = [f for _, f in figures_in(sentence, language)]
    assert found and found[-1].label == label


def test_a_number_after_its_noun_and_a_comma_counts_that_noun() -> None:
    found = figures("La fondation héberge de nombreux projets, 40 à l'heure où j'écris.", "fr")
    assert ("40", 40.0, "projets") in found
    assert figures("Les participants, 30 au total, ont aimé.", "fr")[0][2] == "participants"
