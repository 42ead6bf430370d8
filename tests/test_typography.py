from __future__ import annotations

import pytest

from recapmail.typography import NBSP, NNBSP, apply, french


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trois thèmes : IA, cloud !", f"Trois thèmes{NNBSP}: IA, cloud{NNBSP}!"),
        ("Vraiment?", f"Vraiment{NNBSP}?"),
        ("Quoi ?!", f"Quoi{NNBSP}?!"),
        ("« bonjour »", f"«{NNBSP}bonjour{NNBSP}»"),
        ("«salut»", f"«{NNBSP}salut{NNBSP}»"),
        ("plus de 1 200 participants", f"plus de 1{NNBSP}200 participants"),
        ("110 000 membres", f"110{NNBSP}000 membres"),
        ("+32 % et 45%", f"+32{NBSP}% et 45{NBSP}%"),
        ("l'équipe d'OpenStack", "l’équipe d’OpenStack"),
    ],
)
def test_french_spacing(text: str, expected: str) -> None:
    assert french(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "rendez-vous à 14:30",
        "https://example.org/a?b=c:d&e=f!",
        "std::vector",
        "version 2026.2",
        "'quoted'",
    ],
)
def test_leaves_code_times_and_urls_alone(text: str) -> None:
    assert french(text) == text


def test_english_untouched() -> None:
    text = "Three themes: AI, cloud! Isn't it?"
    assert apply(text, "en") == text
    assert apply(text, "fr") != text
