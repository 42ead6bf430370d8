"""Drafting by a language model, end to end, against a real chat-completions server on
127.0.0.1 that answers from a script: only good drafts reach the posts and the intro, every
refusal is one warning line, and the digest never fails because of the endpoint."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recapmail.cli import app
from tests.chatserver import GARBAGE, NO_CHOICES, SLOW, TRICKLE, ChatServer

pytestmark = pytest.mark.slow  # real processes, servers and files: see pyproject's markers

WEEK = "2026-W47"
LINK = "https://www.example.org/blog/nantes"
RECAP = """---
title: "Journées Cloud Ouvert Nantes 2026 : la sortie de VMware"
date: 2026-11-18
lang: fr
url: https://www.example.org/blog/nantes
---

Les 17 et 18 novembre, notre équipe était aux Journées Cloud Ouvert Nantes 2026.

Cette édition a réuni 650 participants venus de 12 pays. Un hébergeur régional a présenté la
migration de 1 800 machines virtuelles vers OpenStack, avec une baisse de 40 % de ses coûts de
licence.

Les ateliers ont montré des outils concrets pour convertir les disques et reprendre les réseaux
vers Neutron, avec une automatisation complète par Ansible.
"""
# What each kind of prompt says, so the script can answer each text its own way.
POST, HOOK, INTRO = "one takeaway a line", "the week's top story", "opens this week's newsletter"
GOOD_HOOK = "À Nantes, 650 participants ont parlé de la sortie de VMware."
GOOD_INTRO = "Cette semaine, la sortie de VMware vue depuis les Journées de Nantes."
GOOD_POST = (
    "Nous étions à Nantes pour parler de la sortie de VMware.\n"
    "Un hébergeur a migré 1 800 machines virtuelles vers OpenStack.\n"
    "Ses coûts de licence ont baissé de 40 %."
)
runner = CliRunner()


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with ChatServer(script={HOOK: GOOD_HOOK, INTRO: GOOD_INTRO, POST: GOOD_POST}) as s:
        yield s


def setup(tmp_path: Path, base_url: str, llm: str = "") -> Path:
    (tmp_path / "recaps").mkdir(exist_ok=True)
    (tmp_path / "recaps" / "nantes.md").write_text(RECAP, encoding="utf-8")
    config = tmp_path / "feeds.toml"
    config.write_text(
        '[newsletter]\ntitle = "La veille"\nlanguage = "fr"\n\n'
        f'[llm]\nbase_url = "{base_url}"\nmodel = "test-model"\napi_key_env = "TEAM_LLM_KEY"\n'
        f'timeout = 0.5\n{llm}\n[[sources]]\nname = "Nos comptes rendus"\npath = "recaps"\n',
        encoding="utf-8",
    )
    return config


def digest(config: Path, out: Path, *options: str) -> tuple[int, str]:
    args = ["digest", "--config", str(config), "--week", WEEK, "--out", str(out), *options]
    result = runner.invoke(app, args)
    return result.exit_code, result.stderr


def written(out: Path) -> dict[str, bytes]:
    """The edition's files, but for the two that carry the time they were made."""
    folder = out / WEEK
    skip = {"digest.json", ".edition.json"}
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in skip
    }


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Warning:")]


def test_good_drafts_reach_the_weekly_post_and_the_intro(
    tmp_path: Path, server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAM_LLM_KEY", "secret-123")
    config = setup(tmp_path, server.base_url)
    code, stderr = digest(config, tmp_path / "out")
    assert (code, warnings(stderr)) == (0, [])
    folder = tmp_path / "out" / WEEK
    assert (folder / "social" / "linkedin.txt").read_text().startswith(GOOD_HOOK)
    text = (folder / "newsletter.txt").read_text()
    assert "Cette semaine, la sortie de VMware vue depuis les Journées de Nantes." in text
    summary = json.loads((folder / "digest.json").read_text())
    assert summary["drafting"] == [
        {"text": "weekly post hook", "by": "model"},
        {"text": "newsletter intro", "by": "model"},
    ]
    # What was sent: the model, the messages, no randomness, the key from its variable.
    assert len(server.requests) == 2
    request = next(r for r in server.requests if HOOK in r.prompt)
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer secret-123"
    assert {k: v for k, v in request.body.items() if k != "messages"} == {
        "model": "test-model",
        "temperature": 0,
        "stream": False,
    }
    facts = request.body["messages"][1]["content"]
    assert facts.startswith("Title: Journées Cloud Ouvert Nantes 2026 : la sortie de VMware\n")
    assert "- 650 participants" in facts
    assert facts.endswith(f"Link: {LINK}")
    # Only what recapmail extracted, line by line: no body, no file name, no config.
    heads = ("Title: ", "Summary: ", "Highlights:", "Figures:", "Link: ", "- ")
    assert all(line.startswith(heads) for line in facts.splitlines())
    assert len(request.body["messages"]) == 2


def test_refused_drafts_leave_the_extractive_text_and_say_why_once(tmp_path: Path) -> None:
    english = "This week, our team looks back at the open cloud days held in Nantes."
    script = {HOOK: "À Nantes, 1 500 participants ont parlé de VMware.", INTRO: english}
    with ChatServer(script=script) as server:
        config = setup(tmp_path, server.base_url)
        assert digest(config, tmp_path / "plain", "--no-llm")[0] == 0
        code, stderr = digest(config, tmp_path / "out")
    assert code == 0
    assert warnings(stderr) == [
        'Warning: weekly post hook: model draft refused: "1 500 participants" is not in the '
        "week's top story",
        "Warning: newsletter intro: model draft refused: it is written in 'en', not in 'fr'",
    ]
    assert written(tmp_path / "out") == written(tmp_path / "plain")
    summary = json.loads((tmp_path / "out" / WEEK / "digest.json").read_text())
    assert [n["by"] for n in summary["drafting"]] == ["recapmail", "recapmail"]
    assert summary["warnings"][0] == {
        "source": "weekly post hook",
        "reason": 'model draft refused: "1 500 participants" is not in the week\'s top story',
    }


def test_a_draft_too_long_is_refused(tmp_path: Path) -> None:
    long = "À Nantes, nous avons beaucoup parlé de la sortie de VMware et de ses suites. " * 4
    with ChatServer(script={HOOK: long, INTRO: GOOD_INTRO}) as server:
        code, stderr = digest(setup(tmp_path, server.base_url), tmp_path / "out")
    assert code == 0
    assert warnings(stderr) == [
        f"Warning: weekly post hook: model draft refused: the hook is {len(long.strip())} "
        "characters, more than 200"
    ]
    linkedin = (tmp_path / "out" / WEEK / "social" / "linkedin.txt").read_text()
    assert "beaucoup parlé" not in linkedin


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (SLOW, "no answer within 0.5 s ([llm] timeout)"),
        (TRICKLE, "no answer within 0.5 s ([llm] timeout)"),
        ("500", "HTTP 500"),
        ("429", "HTTP 429 (too many requests)"),
        (GARBAGE, "its answer is not JSON"),
        (NO_CHOICES, "its answer has no choices[0].message.content"),
        ("down", "cannot reach it"),
    ],
)
def test_an_endpoint_that_fails_never_fails_the_digest(
    tmp_path: Path, answer: str, reason: str
) -> None:
    with ChatServer(default=answer, slow_for=2.0) as server:
        base_url = f"http://127.0.0.1:{_closed_port()}/v1" if answer == "down" else server.base_url
        config = setup(tmp_path, base_url, llm="concurrency = 1\n")
        assert digest(config, tmp_path / "plain", "--no-llm")[0] == 0
        code, stderr = digest(config, tmp_path / "out")
    assert code == 0
    assert written(tmp_path / "out") == written(tmp_path / "plain")
    # One line a text: the first says what the endpoint did, the other that it was not asked.
    assert warnings(stderr) == [
        f"Warning: weekly post hook: model draft not used: {base_url} {reason}"
        + (" (Connection refused)" if answer == "down" else ""),
        "Warning: newsletter intro: model not asked: the endpoint failed on another text",
    ]
    assert len(server.requests) == (0 if answer == "down" else 1)


def test_strict_counts_a_refusal_once_the_edition_is_written(tmp_path: Path) -> None:
    with ChatServer(script={HOOK: "À Nantes, 900 personnes.", INTRO: GOOD_INTRO}) as server:
        code, stderr = digest(setup(tmp_path, server.base_url), tmp_path / "out", "--strict")
    assert code == 4
    out = tmp_path / "out" / WEEK
    assert stderr.splitlines()[-1] == (
        "Error: --strict: 1 text(s) not drafted by the model, first weekly post hook: model "
        f'draft refused: "900 personnes" is not in the week\'s top story; the edition was '
        f"written to {out}"
    )
    assert (out / "newsletter.html").is_file()


def test_no_llm_asks_nothing(tmp_path: Path, server: ChatServer) -> None:
    code, stderr = digest(setup(tmp_path, server.base_url), tmp_path / "out", "--no-llm")
    assert (code, warnings(stderr), server.requests) == (0, [], [])
    assert "drafting" not in json.loads((tmp_path / "out" / WEEK / "digest.json").read_text())


def test_answers_are_kept_so_an_edition_made_again_is_the_same_and_refresh_asks_again(
    tmp_path: Path, server: ChatServer
) -> None:
    config = setup(tmp_path, server.base_url)
    assert digest(config, tmp_path / "out")[0] == 0
    first = written(tmp_path / "out")
    asked = len(server.requests)
    server.script[HOOK] = "Les Journées de Nantes, vues par notre équipe."
    assert digest(config, tmp_path / "out", "--force")[0] == 0
    assert written(tmp_path / "out") == first
    assert len(server.requests) == asked
    assert digest(config, tmp_path / "out", "--refresh-llm")[0] == 0
    again = (tmp_path / "out" / WEEK / "social" / "linkedin.txt").read_text()
    assert again.startswith("Les Journées de Nantes, vues par notre équipe.")
    assert len(server.requests) == asked + 2


def test_a_configured_intro_is_the_teams_own_and_is_not_asked_for(
    tmp_path: Path, server: ChatServer
) -> None:
    config = setup(tmp_path, server.base_url)
    text = config.read_text().replace('language = "fr"\n', 'language = "fr"\nintro = "Bonjour."\n')
    config.write_text(text)
    assert digest(config, tmp_path / "out")[0] == 0
    assert [INTRO in r.prompt for r in server.requests] == [False]
    assert "Bonjour." in (tmp_path / "out" / WEEK / "newsletter.txt").read_text()


def test_recap_posts_take_the_models_hook_and_takeaways(tmp_path: Path, server: ChatServer) -> None:
    config = setup(tmp_path, server.base_url)
    recap = str(tmp_path / "recaps" / "nantes.md")
    result = runner.invoke(app, ["social", recap, "--config", str(config), "--json"])
    assert result.exit_code == 0
    posts = json.loads(result.stdout)
    assert {p["platform"] for p in posts} == {"linkedin", "mastodon", "bluesky"}
    mastodon = next(p["text"] for p in posts if p["platform"] == "mastodon")
    assert mastodon.startswith("Nous étions à Nantes pour parler de la sortie de VMware.\n")
    assert "• Un hébergeur a migré 1\u202f800 machines virtuelles vers OpenStack." in mastodon
    assert LINK in mastodon  # recapmail's own link and hashtags
    assert all(p["count"] <= p["limit"] for p in posts)


def test_a_recap_post_with_a_foreign_link_keeps_the_extractive_text(tmp_path: Path) -> None:
    script = {POST: "Nantes et VMware : tout est sur https://promo.example.com/nantes ici."}
    with ChatServer(script=script) as server:
        config = setup(tmp_path, server.base_url)
        recap = str(tmp_path / "recaps" / "nantes.md")
        args = ["social", recap, "--config", str(config), "--platform", "mastodon"]
        drafted = runner.invoke(app, args)
        plain = runner.invoke(app, [*args, "--no-llm"])
    assert drafted.exit_code == 0
    assert drafted.stdout == plain.stdout
    assert warnings(drafted.stderr) == [
        "Warning: post for nantes.md: model draft refused: the link "
        '"https://promo.example.com/nantes" is not the article\'s'
    ]


@pytest.mark.parametrize(
    ("table", "error"),
    [
        ('model = "m"\n', "llm.base_url: [llm] needs both"),
        ('base_url = "ftp://x"\nmodel = "m"\n', "llm.base_url: 'ftp://x' is not a valid URL"),
        (
            'base_url = "http://127.0.0.1:1/v1"\nmodel = "m"\napi_key_env = "sk-12ab"\n',
            "llm.api_key_env: the name of an environment variable, not a key",
        ),
        (
            'base_url = "http://127.0.0.1:1/v1"\nmodel = "m"\nconcurrency = 0\n',
            "llm.concurrency: must be between 1 and 32",
        ),
        ('base_url = "http://127.0.0.1:1/v1"\nmodle = "m"\n', "unknown key 'modle' in [llm]"),
        (  # a password in the address would be shown in every warning
            'base_url = "https://user:s3cret@127.0.0.1:9/v1"\nmodel = "m"\n',
            "llm.base_url: put no user or password in the address",
        ),
        ('base_url = "http://127.0.0.1:abc/v1"\nmodel = "m"\n', "the port is not a number"),
        ('base_url = "https://h.example/v1?v=1"\nmodel = "m"\n', "without ?query or #fragment"),
        (
            'base_url = "http://192.0.2.7:11434/v1"\nmodel = "m"\napi_key_env = "K"\n',
            "llm.base_url: the key would travel in clear to another machine: use https",
        ),
    ],
)
def test_llm_table_errors_name_the_line_and_key(tmp_path: Path, table: str, error: str) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text(f'[newsletter]\ntitle = "x"\n\n[llm]\n{table}')
    result = runner.invoke(app, ["digest", "--config", str(config), "--week", WEEK])
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith(f"Error: {config}:") and error in line
    assert len(line.splitlines()) == 1


def test_the_preview_shows_which_texts_the_model_wrote(tmp_path: Path) -> None:
    import urllib.request

    from recapmail.preview import PreviewServer

    with ChatServer(script={HOOK: GOOD_HOOK, INTRO: "Cette semaine, 99 sujets."}) as server:
        assert digest(setup(tmp_path, server.base_url), tmp_path / "out")[0] == 0
    with (
        PreviewServer(tmp_path / "out", interval=0.05) as preview,
        urllib.request.urlopen(preview.url + f"d/{WEEK}/", timeout=10) as response,
    ):
        page = response.read().decode()
    assert '<span class="by-model">weekly post hook: written by the model</span>' in page
    assert (
        '<span class="by-recapmail">newsletter intro: recapmail&#39;s own text (the model&#39;s '
        "draft was not used)</span>"
    ) in page
    assert "<strong>newsletter intro</strong>: model draft refused: &#34;99 sujets&#34;" in page


TOPICS = (
    ("Rencontres Ceph Rennes 2026", "le stockage objet", "Ceph"),
    ("Forum Proxmox Lille 2026", "la virtualisation", "Proxmox"),
    ("Atelier Kubernetes Bordeaux 2026", "les opérateurs", "Kubernetes"),
    ("Sommet PostgreSQL Toulouse 2026", "la réplication", "PostgreSQL"),
)


@pytest.mark.parametrize("concurrency", [1, 2])
def test_no_more_texts_are_asked_at_once_than_concurrency(tmp_path: Path, concurrency: int) -> None:
    with ChatServer(default=GOOD_POST, delay=0.2) as server:
        config = setup(tmp_path, server.base_url, llm=f"concurrency = {concurrency}\n")
        for i, (event, subject, project) in enumerate(TOPICS):
            (tmp_path / "recaps" / f"{i}.md").write_text(
                f'---\ntitle: "{event} : {subject}"\nlang: fr\n---\n\n'
                f"Notre équipe était aux {event}. Les échanges ont porté sur {subject} avec "
                f"{project}, et sur ce que {project} change pour les équipes d'exploitation.\n",
                encoding="utf-8",
            )
        result = runner.invoke(app, ["social", str(tmp_path / "recaps"), "--config", str(config)])
    assert result.exit_code == 0
    assert len(server.requests) == 5
    assert server.busiest == concurrency  # texts asked side by side, never more at once


def test_a_special_edition_keeps_its_own_intro_and_takes_the_hook(
    tmp_path: Path, server: ChatServer
) -> None:
    config = setup(tmp_path, server.base_url)
    recap = str(tmp_path / "recaps" / "nantes.md")
    result = runner.invoke(
        app, ["newsletter", recap, "--config", str(config), "--out", str(tmp_path / "out")]
    )
    assert (result.exit_code, warnings(result.stderr)) == (0, [])
    (folder,) = (tmp_path / "out").iterdir()
    assert (folder / "social" / "linkedin.txt").read_text().startswith(GOOD_HOOK)
    assert [HOOK in r.prompt for r in server.requests] == [True]  # no intro asked
    assert GOOD_INTRO not in (folder / "newsletter.txt").read_text()


def test_a_run_the_endpoint_failed_is_not_up_to_date(tmp_path: Path) -> None:
    with ChatServer(default="500") as server:
        config = setup(tmp_path, server.base_url, llm="concurrency = 1\n")
        assert len(warnings(digest(config, tmp_path / "out")[1])) == 2
        server.default, server.script = "", {HOOK: GOOD_HOOK, INTRO: GOOD_INTRO}
        code, stderr = digest(config, tmp_path / "out")  # no --force: made again, asked again
    assert (code, warnings(stderr)) == (0, [])
    linkedin = (tmp_path / "out" / WEEK / "social" / "linkedin.txt").read_text()
    assert linkedin.startswith(GOOD_HOOK)
