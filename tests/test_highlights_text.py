"""Sentences, language, cleaning and shortening: the text steps under the highlights."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recapmail.highlights import detect_language, split_sentences
from recapmail.highlights.clean import clean_document, normalise
from recapmail.highlights.cut import shorten_highlight as shorten
from recapmail.highlights.ranking import Candidate, pick_highlights


def test_french_abbreviations_do_not_end_sentences() -> None:
    text = (
        "Le 3 nov. 2025, M. Durand a présenté la feuille de route (voir p. 12). "
        "La salle était pleine."
    )
    assert split_sentences(text, "fr") == [
        "Le 3 nov. 2025, M. Durand a présenté la feuille de route (voir p. 12).",
        "La salle était pleine.",
    ]


def test_french_spaced_punctuation_and_guillemets() -> None:
    text = "Quelle journée ! Puis « c'est fini ? » a-t-il demandé. Rendez-vous en 2026 ?"
    assert split_sentences(text, "fr") == [
        "Quelle journée !",
        "Puis « c'est fini ? » a-t-il demandé.",
        "Rendez-vous en 2026 ?",
    ]


def test_english_abbreviations_initials_and_numbers() -> None:
    text = (
        "Dr. Lee met J. Smith in Washington D.C. on Monday. Version 1.21 shipped with "
        "3.5 times fewer bugs, e.g. in the scheduler. Next stop: Paris."
    )
    assert split_sentences(text, "en") == [
        "Dr. Lee met J. Smith in Washington D.C. on Monday.",
        "Version 1.21 shipped with 3.5 times fewer bugs, e.g. in the scheduler.",
        "Next stop: Paris.",
    ]


def test_line_breaks_end_sentences() -> None:
    assert split_sentences("Keynotes\nWorkshops on day two", "en") == [
        "Keynotes",
        "Workshops on day two",
    ]


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        (
            "La fondation a annoncé une nouvelle version de son logiciel pour les opérateurs.",
            None,
            "fr",
        ),
        ("The foundation announced a new release of its software for operators.", None, "en"),
        ("OpenStack", "fr", "fr"),
        ("Kubernetes 1.30", "en", "en"),
        ("Die Konferenz war sehr gut besucht und die Vorträge waren interessant.", None, "de"),
        ("La fundación anunció una nueva versión de su programa para los operadores.", "fr", "es"),
    ],
)
def test_language(text: str, hint: str | None, expected: str) -> None:
    assert detect_language(text, hint) == expected


_MODEL_PROBE = """
import sys
from recapmail.highlights import detect_language, extract
from recapmail.model import Article
extract(Article(source="a.md", body="Les 3 et 4 mars, nous avons suivi la conférence à Lyon."))
detect_language("The foundation announced a new release of its software for operators.")
print("fr/en loaded the model:", "py3langid" in sys.modules)
import py3langid.langid as langid
loads = []
load = langid._load_identifier
langid._load_identifier = lambda *a, **k: loads.append(1) or load(*a, **k)
for _ in range(3):
    detect_language("Konferensen var mycket välbesökt och föredragen var intressanta i år.")
print("model loads:", len(loads))
"""


def test_the_language_model_is_loaded_only_for_other_languages_and_once() -> None:
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", _MODEL_PROBE], capture_output=True, text=True, check=True
    )
    assert "fr/en loaded the model: False" in run.stdout
    assert "model loads: 1" in run.stdout


def test_markdown_is_reduced_to_prose_with_links_kept_aside() -> None:
    body = (
        "Image content\n\nAlice Martin writes:\n\n"
        "## Ce qu'il faut retenir\n\n"
        "Le **projet** [Nuage](https://nuage.example.org/) passe en *version stable*\u202f!\n"
        "![capture](/img/shot.png)\n\n"
        "```\nkubectl get pods\n```\n\n"
        "- [Lien seul](https://example.org/only-a-link)\n"
        "- Les ateliers affichaient complet\u00a0: 120 places.\n\n"
        "Partager\n\n"
        "## Références\n\n- [Doc](https://docs.example.org/)\n"
    )
    doc = clean_document(body, "markdown")
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Ce qu'il faut retenir"),
        ("paragraph", "Le projet Nuage passe en version stable !"),
        ("item", "Les ateliers affichaient complet : 120 places."),
    ]
    assert doc.links == (
        "https://nuage.example.org/",
        "https://example.org/only-a-link",
        "https://docs.example.org/",
    )


def test_a_sentence_whose_object_is_a_long_link_is_prose() -> None:
    body = (
        "Je l'annonçais en janvier, mais [cet hiver, notre équipe a rejoint le comité qui "
        "organise les Journées du Nuage de Grenoble](/2024/01/comite).\n\n"
        "- [Le programme complet des deux journées](https://example.org/programme)\n"
    )
    doc = clean_document(body, "markdown")
    assert [b.text for b in doc.blocks] == [
        "Je l'annonçais en janvier, mais cet hiver, notre équipe a rejoint le comité qui "
        "organise les Journées du Nuage de Grenoble."
    ]


def test_plain_text_hard_wrapped_lines_are_joined_and_bullets_kept() -> None:
    body = (
        "Notre équipe était présente au salon cette année avec\n"
        "trois consultants et une démonstration.\n\n"
        "  • Premier point : la migration.\n"
        "  • Second point : la sécurité.\n"
    )
    doc = clean_document(body, "text")
    assert [b.text for b in doc.blocks] == [
        "Notre équipe était présente au salon cette année avec trois consultants et une "
        "démonstration.",
        "Premier point : la migration.",
        "Second point : la sécurité.",
    ]
    assert [b.kind for b in doc.blocks] == ["paragraph", "item", "item"]


def test_long_sentence_is_cut_at_a_clause_boundary() -> None:
    sentence = (
        "Les démonstrations de migration ont confirmé la maturité technique des solutions "
        "OpenStack et une dynamique d'adoption en hausse de 32 % sur l'année, ce que les "
        "intervenants ont illustré par de nombreux retours d'expérience venus d'hébergeurs, "
        "d'opérateurs télécoms et d'administrations qui ont quitté des plateformes propriétaires."
    )
    short = shorten(sentence)
    assert len(short) <= 220
    assert short.endswith("…")
    assert "32 %" in short
    assert short.startswith("Les démonstrations de migration")


def test_asides_go_before_clauses() -> None:
    sentence = (
        "OVHcloud (the headline sponsor of this edition, whose booth was crowded all week long) "
        "and Canonical presented their joint offer for operators who leave proprietary "
        "virtualization, with a migration service priced per virtual machine."
    )
    assert shorten(sentence) == (
        "OVHcloud and Canonical presented their joint offer for operators who leave "
        "proprietary virtualization, with a migration service priced per virtual machine."
    )


@given(
    st.lists(
        st.tuples(
            st.text(alphabet="abcdefghijéèàç", min_size=1, max_size=14),
            st.sampled_from([" ", ", ", "; ", " (", ") ", " — ", ": "]),
        ),
        max_size=60,
    )
)
def test_shortening_never_cuts_inside_a_word(pieces: list[tuple[str, str]]) -> None:
    sentence = "".join(word + separator for word, separator in pieces)
    short = shorten(sentence, 80)
    words = set(re.findall(r"\w+", sentence.lower()))
    assert len(short) <= 80 or short == " ".join(sentence.split())
    assert set(re.findall(r"\w+", short.lower())) <= words  # a new first word gets a capital


def test_a_sentence_that_ends_before_the_cut_gets_no_ellipsis() -> None:
    from recapmail.highlights.cut import shorten_highlight as shorten

    sentence = (
        "Joining the larger foundation sets the stage for the next decade of open "
        "infrastructure work in every region of the world and for every member of our "
        'community." \\ then trailing markup left over by a bad copy and paste from the page'
    )
    short = shorten(sentence, 200)
    assert short.endswith("community.")
    assert "…" not in short


def test_code_spans_in_titles_read_as_words() -> None:
    title = "`Gateway API` : remplacer mon Ingress Controller avec `Cilium` ?"
    assert normalise(title) == "Gateway API : remplacer mon Ingress Controller avec Cilium ?"
    assert normalise("l’équipe “ouverte”") == 'l\'équipe "ouverte"'


def test_code_constants_make_no_hashtags() -> None:
    from recapmail.highlights.hashtags import pick_hashtags

    tags = pick_hashtags(["Ceph", "UUIDOFSECRET", "MY_POOL", "CNCF"])
    assert "#Ceph" in tags and "#CNCF" in tags
    assert not any(t.lower() in ("#uuidofsecret", "#mypool") for t in tags)


def _candidate(text: str, score: float, order: int) -> Candidate:
    return Candidate(text, "paragraph", order, (), score, section=order)


def test_a_whole_shorter_sentence_beats_a_slightly_better_one_that_must_be_cut() -> None:
    long = (
        "Pour Claire Dubois, directrice technique de Nuage Ouest, qui anime depuis trois ans le "
        "groupe des utilisateurs bretons et qui a porté la candidature de Rennes auprès du comité "
        "d'organisation, il ne fait aucun doute que la communauté régionale a changé d'échelle."
    )
    whole = "Nuage Ouest a ouvert son code de facturation sous licence Apache 2.0 mardi."
    picked = pick_highlights([_candidate(long, 2.0, 0), _candidate(whole, 1.7, 1)], [], 1)
    assert picked == [whole]
    # Far better, the long sentence still wins, and is cut at a clause boundary.
    picked = pick_highlights([_candidate(long, 4.0, 0), _candidate(whole, 1.7, 1)], [], 1)
    assert picked[0].startswith("Pour Claire Dubois") and picked[0].endswith("…")
    assert len(picked[0]) <= 220


def test_raw_html_elements_and_entities_never_become_sentences() -> None:
    body = (
        "Intro.\n\n<script>alert('x')</script>\n\n<style>p{color:red}</style>"
        "Texte visible &lt;b&gt;gras&lt;/b&gt; et 3 &gt; 2.\n\n"
        "<!-- caché -->Fin. <script>jamais fermé"
    )
    blocks = [b.text for b in clean_document(body, "markdown").blocks]
    assert blocks == ["Intro.", "Texte visible gras et 3 > 2.", "Fin."]


@pytest.mark.timeout(30)  # quadratic scanning took minutes; linear takes milliseconds
def test_unclosed_tag_floods_are_read_in_linear_time() -> None:
    blocks = clean_document("<a" * 100_000 + "\n\nBonjour.", "markdown").blocks
    assert blocks[-1].text == "Bonjour."


_SHELL_POST = (
    "Nous avons migré 40 machines virtuelles vers Proxmox VE en une journée.\n\n"
    "La démarche a convaincu les 12 administrateurs présents, qui ont annoncé un pilote.\n\n"
    "$ kvm -m 2048 -cdrom debian.iso\n"
    "HOST=192.168.0.10\n"
    "6000 192.168.0.10 6000\n\n"
    "    qm create 9000 --memory 4096\n"
    "    qm set 9000 --scsihw virtio-scsi-pci\n\n"
    "Il faut ensuite passer l'en-tête `X-Auth-Token` et le fichier `secret.xml` à l'API.\n\n"
    "```\nSetting=HXAuthToken 8080\n```\n\n"
    "Le stockage Ceph a tenu la charge pendant les 3 jours de tests du pilote.\n"
)


def test_code_never_makes_highlights_figures_keywords_or_hashtags() -> None:
    from recapmail.highlights import extract
    from recapmail.model import Article

    h = extract(Article(source="notes.md", body=_SHELL_POST, body_format="markdown"))
    shown = " ".join([h.summary, *h.highlights])
    for code in ("kvm", "192.168", "HOST=", "qm ", "--memory", "HXAuthToken"):
        assert code not in shown
    assert not {f.number for f in h.figures} & {2048.0, 6000.0, 9000.0, 4096.0, 8080.0}
    assert {40.0, 12.0} <= {f.number for f in h.figures}
    words = " ".join([*h.keywords, *h.hashtags]).lower()
    for code in ("auth", "secret", "setting", "virtio", "scsi", "kvm"):
        assert code not in words
    assert "#Ceph" in h.hashtags or "#ProxmoxVE" in h.hashtags


def test_feed_code_blocks_stay_in_the_body_marked_as_code() -> None:
    from recapmail.sources.feed_html import html_to_markdown

    body = html_to_markdown(
        "<p>Intro.</p><pre><code>$ kvm -m 2048\nHOST=10.0.0.1\n</code></pre>"
        "<p>Use the <code>X-Auth-Token</code> header.</p>"
    )
    assert "```\n$ kvm -m 2048\nHOST=10.0.0.1\n```" in body
    assert "`X-Auth-Token`" in body
    doc = clean_document(body, "markdown")
    assert [b.text for b in doc.blocks] == ["Intro.", "Use the X-Auth-Token header."]
    assert doc.code == ("X-Auth-Token",)


_HOSTILE_SIZE = 200_000
_MARKS = ".!?…(«*_-'`[<=,;:#"


@pytest.mark.slow
@pytest.mark.parametrize(
    "body",
    [
        "Le texte a\u0301" + "\u0301" * _HOSTILE_SIZE + " fin. Et puis la suite.",
        "Un mot " + "a" * _HOSTILE_SIZE + " et la suite.",
        "Bien" + "(" * _HOSTILE_SIZE,
        "Bien" + " !" * (_HOSTILE_SIZE // 2) + "x",
    ],
    ids=["combining-marks", "long-word", "parentheses", "spaced-exclamations"],
)
def test_hostile_text_is_read_in_linear_time(body: str) -> None:
    """Completion is what is asserted (timings: benchmarks/bench_highlights.py and the notes)."""
    from recapmail.highlights import extract
    from recapmail.model import Article

    for body_format in ("markdown", "text"):
        h = extract(Article(source="x", body=f"Titre\n\n{body}\n\nFin.", body_format=body_format))
        assert h.title


@pytest.mark.slow
@pytest.mark.parametrize("mark", list(_MARKS))
def test_a_long_run_of_one_mark_is_read_in_linear_time(mark: str) -> None:
    from recapmail.highlights.cut import shorten_highlight as shorten
    from recapmail.highlights.figures import figures_in

    text = "Bien " + mark * _HOSTILE_SIZE + " x"
    assert split_sentences(text, "fr")
    assert figures_in(text, "fr") == []
    assert shorten(text)
    assert clean_document(text, "markdown") is not None


def test_highlights_stand_alone() -> None:
    from recapmail.highlights import extract
    from recapmail.model import Article

    body = (
        "# Notre récap de la Journée Cloud Ouvert\n\n"
        "La Journée Cloud Ouvert a réuni 600 participants à Lille autour d'OpenStack.\n\n"
        "## Conférence 1 : Faire du Kubernetes multi-clouds avec Crossplane\n\n"
        "Conférence 1 : Kubernetes multi-clouds avec Crossplane, présenté par deux équipes\n\n"
        "C'est ce qu'a mis en lumière la 3e édition, tenue pour la première fois à Lille.\n\n"
        "Cela montre que l'intérêt pour Kubernetes grandit chez les hébergeurs.\n\n"
        "Un hébergeur lillois a annoncé migrer 2 000 machines virtuelles vers OpenStack.\n\n"
        "La fondation OpenInfra a publié un livre blanc sur la souveraineté numérique.\n\n"
        "Crossplane permet à Scaleway de piloter trois clouds avec les mêmes outils.\n\n"
        "Les ateliers de l'après-midi ont accueilli 120 administrateurs venus de 14 pays.\n\n"
    )
    h = extract(Article(source="recap.md", body=body, body_format="markdown"), 4)
    assert not any(x.startswith(("C'est", "Cela", "Conférence 1")) for x in h.highlights)
    assert len(h.highlights) == 4


@pytest.mark.parametrize(
    "sentence",
    [
        "Loïc nous explique la mise en place du multitenant pour Kestra.",
        "Solène partage son parcours de reconversion vers le test logiciel.",
        "The keynote shows how Kata isolates each agent in its own sandbox.",
    ],
)
def test_a_sentence_in_the_present_tense_is_no_fragment(sentence: str) -> None:
    from recapmail.highlights.ranking import VERBLESS_PENALTY, stand_alone_penalty

    assert stand_alone_penalty(sentence) < VERBLESS_PENALTY
    assert stand_alone_penalty("Conférencier : Loïc Mathieu, chez Kestra") >= VERBLESS_PENALTY


def test_a_link_whose_address_holds_parentheses_is_read_whole() -> None:
    doc = clean_document(
        "Voir [la page](https://fr.wikipedia.org/wiki/Ceph_(logiciel)) sur Ceph.\n", "markdown"
    )
    assert "https://fr.wikipedia.org/wiki/Ceph_(logiciel)" in doc.links
    assert doc.text.strip() == "Voir la page sur Ceph."


@given(
    st.text(alphabet="ab_ é1-.", max_size=14), st.text(alphabet="ab_ é1-.", min_size=1, max_size=3)
)
def test_whole_word_places_are_those_of_the_word_bounded_pattern(text: str, term: str) -> None:
    from recapmail.highlights.hashtags import _word_starts

    pattern = rf"(?<!\w){re.escape(term)}(?!\w)"
    assert _word_starts(term, text) == [m.start() for m in re.finditer(pattern, text)]
