"""Plain text for posts: cleaning hostile input, sentences, shortening, hashtags."""

from __future__ import annotations

import pytest

from recapmail.render.shorten import clean, hashtag, hashtags, sentences, shorten


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>Bonjour <b>à tous</b></p>", "Bonjour à tous"),
        ("A &amp; B &eacute;t&eacute;", "A & B été"),
        ("&amp;lt;b&amp;gt;gras&amp;lt;/b&amp;gt;", "gras"),  # escaped twice, still markup
        ("avant<script>alert(1)</script>après", "avant après"),
        ("x <img src=x onerror=alert(1)", "x"),  # a tag cut off by the end of the text
        ("**gras** et _italique_ et `code`", "gras et italique et code"),
        ("[le récap](https://example.org/a_(b)) ici", "le récap ici"),
        ("![schéma](img.png) légende", "schéma légende"),
        ("## Titre\n> citation\n- point", "Titre citation point"),
        ("snake_case_name et 2 * 3 * 4", "snake_case_name et 2 * 3 * 4"),
        ("a\u202eb\u202c\u200bc\u2066d\u2069\ufeffe", "abcde"),
        ("👩\u200d💻 x\u200dy", "👩\u200d💻 xy"),  # ZWJ kept only inside an emoji sequence
        ("e\u0301te\u0301", "été"),  # composed (NFC)
        ("{{ secret }} {% if x %}", "{{ secret }} {% if x %}"),  # literal, never rendered
        ("a\x00b\x07c", "a b c"),
        ("texte retiré <i></i>.", "texte retiré."),
        ("latence <5 ms et a<b", "latence <5 ms et a<b"),
    ],
)
def test_clean(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_sentences_respect_abbreviations_and_french_punctuation() -> None:
    text = (
        "M. Dupont est venu. Il a vu 1 200 personnes\u202f! Puis, e.g. Kubernetes. "
        "« Bravo » dit-il."
    )
    assert sentences(text) == [
        "M. Dupont est venu.",
        "Il a vu 1 200 personnes\u202f!",
        "Puis, e.g. Kubernetes.",
        "« Bravo » dit-il.",
    ]


def test_shorten_never_cuts_a_word_a_url_or_a_hashtag() -> None:
    text = "Voir https://example.org/une/longue/adresse et #SouveraineteNumerique, puis la suite"
    for width in range(1, len(text) + 1):
        short = shorten(text, lambda s, w=width: len(s) <= w)
        assert len(short) <= width
        if short:
            body = short.removesuffix("…")
            assert text.startswith(body)
            rest = text[len(body) :]
            assert rest == "" or rest[0] in " ,"  # cut at a word boundary


def test_shorten_drops_dangling_punctuation_before_the_ellipsis() -> None:
    assert shorten("un, deux, trois, quatre", lambda s: len(s) <= 12) == "un, deux…"


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("souveraineté numérique", "#SouveraineteNumerique"),
        ("#OpenStack", "#OpenStack"),
        ("vSphere", "#vSphere"),
        ("l'IA générative", "#IAGenerative"),
        ("cœur de réseau", "#CoeurDeReseau"),
        ("KubeCon EU 2026", "#KubeConEU2026"),
        ("2026", None),
        ("x", None),
        ("<script>", None),
        ("{{ x }}", None),
        ("", None),
    ],
)
def test_hashtag(text: str, tag: str | None) -> None:
    assert hashtag(text) == tag


def test_hashtags_deduplicate_ignoring_case_and_accents() -> None:
    assert hashtags(["#OpenStack", "openstack", "Sécurité", "securite", "Ceph"], keep=5) == [
        "#OpenStack",
        "#Securite",
        "#Ceph",
    ]
