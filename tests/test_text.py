"""The text routines every stage shares."""

from __future__ import annotations

import pytest

from recapmail.identity import title_key
from recapmail.text import fold, slugify, strip_markup


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Œuvre à Zürich", "OEuvre a Zurich"),  # the ligature is kept as its letters
        ("cœur, Æsir, Straße", "coeur, AEsir, Strasse"),
        ("Ελληνικά", "Ελληνικα"),  # another script keeps its letters, loses its accents
        ("plain ASCII", "plain ASCII"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_slugify() -> None:
    assert slugify("Journées OpenInfra : l'été 2026") == "journees-openinfra-l-ete-2026"
    # Slugs name folders and feed ids already made: a ligature is dropped, as it always was.
    assert slugify("Lettre du Cœur de métier") == "lettre-du-cur-de-metier"
    assert slugify("日本語", empty="newsletter") == "newsletter"
    assert len(slugify("mot " * 40)) <= 60 and not slugify("mot " * 40).endswith("-")


def test_titles_match_whatever_their_accents_and_case() -> None:
    assert title_key("Le cœur de l'OpenInfra à Lyon") == title_key("Le cœur de l'Openinfra a Lyon")
    # Keys are stored in the state: a ligature stays in them as it always has.
    assert title_key("Le cœur de l'OpenInfra à Lyon") == "le cœur de l openinfra a lyon"


def test_strip_markup_keeps_the_words_and_drops_scripts() -> None:
    assert strip_markup("<b>Kube</b>Con <script>alert(1)</script>Paris") == "Kube Con Paris"
    assert strip_markup("<scr<b>ipt>x</script>") == "x"


def test_visible_drops_what_hides_or_reorders_text_and_keeps_emoji_whole() -> None:
    from recapmail.text import visible

    assert visible("Ti\u202etre\u202c zéro\u200b\u200d lar\u00adgeur \u2066iso\u2069") == (
        "Titre zéro largeur iso"
    )
    assert visible("👩\u200d💻 ok") == "👩\u200d💻 ok"  # the ZWJ of an emoji sequence stays
