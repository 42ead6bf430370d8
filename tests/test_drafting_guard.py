"""The guard rails on a model's draft, each on its own: no model and no server needed."""

from __future__ import annotations

import pytest

from recapmail.config import Config, LlmConfig, NewsletterConfig, SocialConfig
from recapmail.drafting.guard import Refused, Written, accept
from recapmail.drafting.prompt import Material, messages
from recapmail.model import Figure

LINK = "https://www.example.org/blog/nantes"
RECAP = Material(
    key="post:nantes.md",
    what="post for nantes.md",
    kind="post",
    language="fr",
    title="Journées Cloud Ouvert Nantes 2026 : la sortie de VMware",
    summary="Deux jours à Nantes sur la sortie de VMware.",
    highlights=("Un hébergeur a migré 1 800 machines virtuelles vers OpenStack.",),
    figures=(
        Figure("650", 650.0, "participants", "Elle a réuni 650 participants."),
        Figure("1 800", 1800.0, "machines virtuelles", "1 800 machines virtuelles migrées."),
        Figure("40 %", 40.0, "de baisse des coûts", "Une baisse de 40 % des coûts."),
        Figure("1,2 million", 1_200_000.0, "d'euros", "1,2 million d'euros économisés."),
    ),
    link=LINK,
)


def refusal(answer: str, material: Material = RECAP) -> str:
    with pytest.raises(Refused) as caught:
        accept(answer, material)
    return str(caught.value)


def test_a_good_draft_gives_the_hook_then_one_takeaway_a_line() -> None:
    answer = (
        "Nantes : 650 participants pour sortir de VMware.\n"
        "Un hébergeur a migré 1 800 machines virtuelles vers OpenStack.\n"
        "Ses coûts de licence ont baissé de 40 %.\n"
    )
    assert accept(answer, RECAP) == Written(
        hook="Nantes : 650 participants pour sortir de VMware.",
        takeaways=(
            "Un hébergeur a migré 1 800 machines virtuelles vers OpenStack.",
            "Ses coûts de licence ont baissé de 40 %.",
        ),
    )


@pytest.mark.parametrize(
    "written",
    ["1 800", "1\u202f800", "1\u00a0800", "1800", "1,800", "1.800", "1,2 million", "1.2 million"],
)
def test_french_and_english_formats_are_the_same_number(written: str) -> None:
    hook = f"Nous avons vu {written} machines virtuelles passer vers OpenStack à Nantes."
    assert accept(hook, RECAP).hook == hook


def test_an_invented_figure_is_refused_with_its_words() -> None:
    answer = "Nantes : 1 500 participants pour sortir de VMware.\nUne baisse de 40 % des coûts."
    assert refusal(answer) == '"1 500 participants" is not in the recap'


def test_a_number_near_a_figure_is_not_that_figure() -> None:
    assert refusal("Une baisse de 41 % des coûts de licence pour cet hébergeur.") == (
        '"41 %" is not in the recap'
    )


def test_the_numbers_of_the_title_may_be_said() -> None:
    hook = "Retour des Journées Cloud Ouvert Nantes 2026, où la sortie de VMware a tout dominé."
    assert accept(hook, RECAP).hook == hook


def test_a_draft_in_another_language_is_refused() -> None:
    answer = (
        "We were at the Nantes open cloud days, and the exit from VMware was on every stage.\n"
        "A hosting company moved 1,800 virtual machines to OpenStack in just a few months."
    )
    assert refusal(answer) == "it is written in 'en', not in 'fr'"


@pytest.mark.parametrize(
    ("answer", "language"),
    [
        ("Great event in Nantes!", "en"),
        ("Esta semana, nuestro equipo vuelve sobre las jornadas del cloud abierto.", "es"),
        ("Diese Woche blickt unser Team auf die Tage der offenen Cloud zurück.", "de"),
    ],
)
def test_a_short_draft_in_another_language_is_refused_too(answer: str, language: str) -> None:
    assert refusal(answer) == f"it is written in {language!r}, not in 'fr'"


def test_a_short_french_draft_full_of_names_is_french() -> None:
    assert accept("Cluster Kubernetes, GPU et inférence à Nantes.", RECAP).hook


def test_a_hook_too_long_for_the_fold_is_refused() -> None:
    hook = "Nous étions à Nantes pour parler de la sortie de VMware, " * 5
    assert refusal(hook.strip()) == f"the hook is {len(hook.strip())} characters, more than 200"


def test_a_takeaway_too_long_is_refused() -> None:
    long = "Les ateliers ont montré comment convertir les disques et reprendre les réseaux " * 4
    assert refusal(f"Nantes et la sortie de VMware.\n{long}").startswith("a takeaway is ")


def test_a_foreign_link_is_refused_and_the_articles_own_is_left_to_recapmail() -> None:
    assert refusal("Tout sur Nantes : https://evil.com/promo à lire.") == (
        'the link "https://evil.com/promo" is not the article\'s'
    )
    assert refusal("Tout sur Nantes sur evil.com cette semaine.") == (
        'the link "evil.com" is not the article\'s'
    )
    own = accept(f"Tout sur la sortie de VMware à Nantes : {LINK}", RECAP)
    assert own.hook == "Tout sur la sortie de VMware à Nantes"


def test_hashtags_must_follow_recapmails_rules() -> None:
    assert accept("La sortie de #VMware était au cœur des Journées de Nantes.", RECAP).hook
    assert refusal("La sortie de VMware était au cœur des journées #2026 de Nantes.") == (
        '"#2026" is not a hashtag recapmail would write'
    )
    assert refusal("La sortie de VMware était au cœur des journées #ABC de Nantes.") == (
        '"#ABC" is not a hashtag recapmail would write'
    )


def test_json_and_markdown_answers() -> None:
    assert refusal('{"hook": "Nantes"}') == "the answer is not plain text"
    assert refusal("```\nNantes\n```") == "the answer is not plain text"
    assert refusal("  \n\n") == "the answer is empty"
    listed = accept("**Nantes** et la sortie de VMware.\n- Une baisse de *40 %* des coûts.", RECAP)
    assert listed == Written("Nantes et la sortie de VMware.", ("Une baisse de 40 % des coûts.",))


def test_a_hook_or_an_intro_keeps_its_first_line_only() -> None:
    hook = Material("week:2026-W47", "weekly post hook", "hook", "fr", "Nantes 2026")
    assert accept("La semaine de Nantes.\nEt encore ceci.", hook) == Written(
        "La semaine de Nantes."
    )


def test_the_prompt_carries_what_recapmail_extracted_and_the_voice_only() -> None:
    cfg = Config(
        newsletter=NewsletterConfig(team="Équipe cloud"),
        social=SocialConfig(first_person=False, address="vous"),
        llm=LlmConfig(base_url="http://127.0.0.1:1/v1", model="m"),
    )
    system, user = messages(RECAP, cfg)
    assert (system["role"], user["role"]) == ("system", "user")
    assert "Write in French." in system["content"]
    assert "by its name: Équipe cloud" in system["content"]
    assert 'Address the reader as "vous".' in system["content"]
    assert user["content"] == (
        "Title: Journées Cloud Ouvert Nantes 2026 : la sortie de VMware\n"
        "Summary: Deux jours à Nantes sur la sortie de VMware.\n"
        "Highlights:\n"
        "- Un hébergeur a migré 1 800 machines virtuelles vers OpenStack.\n"
        "Figures:\n"
        "- 650 participants\n"
        "- 1 800 machines virtuelles\n"
        "- 40 % de baisse des coûts\n"
        "- 1,2 million d'euros\n"
        f"Link: {LINK}"
    )


@pytest.mark.parametrize(
    ("hook", "reason"),
    [
        ("650 millions de participants à Nantes pour la sortie de VMware.",
         '"650 millions" is not in the recap'),  # a scale word changes the number
        ("1,2 milliard d'euros économisés à Nantes grâce à OpenStack.",
         '"1,2 milliard" is not in the recap'),
        ("Six cent cinquante participants et neuf mille machines à Nantes.",
         '"Six" is not in the recap'),  # counts in words: only as the recap writes them
        ("À Nantes, deux tiers des machines virtuelles ont quitté VMware.",
         '"tiers" is not in the recap'),
        ("À Nantes, deux fois plus de machines ont quitté VMware pour OpenStack.",
         '"fois" is not in the recap'),
        ("À Nantes, ⑫ machines virtuelles ont quitté VMware pour OpenStack.",
         '"12 machines" is not in the recap'),  # read as NFKC reads it
        ("À Nantes, ٦ machines virtuelles ont quitté VMware pour OpenStack.",
         '"٦" is a number that cannot be checked against the recap'),
        ("À Nantes, 0,650 machine virtuelle a quitté VMware pour OpenStack.",
         '"0,650 machine" is not in the recap'),  # a decimal, not 650
        ("Le top10 des outils vus à Nantes pour la sortie de VMware.",
         '"top10" is not in the recap'),
        ("Nous retenons la fin.@gargron pour la sortie de VMware à Nantes.",
         '"@gargron" names someone to notify or write to'),  # Mastodon's own mention rule
        ("Une facture divisée x3 à Nantes grâce à OpenStack et aux équipes.",
         '"x3" is not in the recap'),
        ("Une baisse de 1 800 % des coûts à Nantes, sur OpenStack.",
         '"1 800 %" is not in the recap'),  # a count said as a percentage
        ("Nous avons vu 40 participants à Nantes pour la sortie de VMware.",
         '"40 participants" is not in the recap'),  # a percentage said as a count
        ("Suivez @promo@evil.social pour la sortie de VMware à Nantes.",
         '"@promo@evil.social" names someone to notify or write to'),
        ("Écrivez à contact@evil.com pour la sortie de VMware à Nantes.",
         '"contact@evil.com" names someone to notify or write to'),
        ("La sortie de VMware était au cœur des journées ＃Crypto2030 de Nantes.",
         '"＃Crypto2030" is not a hashtag recapmail would write'),
        ("La sortie de VMware était au cœur des journées #Top1000 de Nantes.",
         '"#Top1000" is not a hashtag recapmail would write'),
    ],
)  # fmt: skip
def test_numbers_contacts_and_tags_cannot_slip_past(hook: str, reason: str) -> None:
    assert refusal(hook) == reason


def test_a_figure_with_its_scale_and_a_percentage_with_its_sign_pass() -> None:
    assert accept("Une baisse de 40 % des coûts et 1,2 million d'euros économisés à Nantes.", RECAP)
    assert accept("Une baisse de 40 pour cent des coûts à Nantes grâce à OpenStack.", RECAP)
    # A count in words that the recap itself writes ("Deux jours à Nantes…") may be said.
    assert accept("Deux jours à Nantes pour parler de la sortie de VMware.", RECAP)


def test_three_digits_after_a_separator_are_thousands_whatever_the_language() -> None:
    from dataclasses import replace

    terabytes = replace(RECAP, figures=(Figure("1,8 Go", 1.8, "de données", "1,8 Go migrés."),))
    with pytest.raises(Refused) as refused:
        accept("Nous avons vu 1.800 Go de données passer vers OpenStack à Nantes.", terabytes)
    assert str(refused.value) == '"1.800 Go" is not in the recap'
    assert accept("Nous avons vu 1,8 Go de données passer vers OpenStack à Nantes.", terabytes)
