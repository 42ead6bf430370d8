"""Posts a consultant would post: whole sentences, the team's voice, the recap's link."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recapmail import pipeline
from recapmail.cli import app
from recapmail.config import Config, read_config
from recapmail.digest import special_digest
from recapmail.model import PLATFORMS, Highlights, Post
from recapmail.render.counting import count
from recapmail.render.social import posts_for_article, posts_for_cluster, posts_for_digest
from recapmail.render.social_text import clause_cuts, ends_sentence, shorten_sentences
from tests.data.social.fixtures import config, digest, kubecon_en, lyon_cluster, lyon_fr, proxmox_fr
from tests.golden import assert_golden

DATA = Path(__file__).parent / "data"
URL = re.compile(r"https?://\S+")
TAGS = re.compile(r"^(?:#\w+\s*)+$")
MARKER = re.compile(r"\n\n\d+/\d+$")


def last_words(text: str) -> str:
    """The last line of prose of a post or part: its number, hashtags and links set aside."""
    body = MARKER.sub("", text)
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    while lines and (TAGS.match(lines[-1]) or URL.search(lines[-1])):
        lines.pop()
    return lines[-1] if lines else ""


def ends_well(text: str) -> bool:
    """A post ends on a sentence, or on an entry's title ("• …" with nothing cut)."""
    last = last_words(text)
    if not last:
        return True
    if last.startswith("• ") and not last.endswith(("…", ",", ";", ":")):
        return True
    return ends_sentence(last)


def corpus_posts(cfg: Config, items: list[Highlights]) -> list[Post]:
    from recapmail.highlights import cluster

    clusters, membership = cluster(items)
    posts: list[Post] = []
    for thread in (False, True):
        for language in (None, "en"):
            for h in items:
                posts += posts_for_article(h, cfg, thread=thread, language=language)
            for c in clusters:
                members = [h for h in items if membership.get(h.article.source) == c.id]
                posts += posts_for_cluster(c, members, cfg, thread=thread, language=language)
            edition = special_digest(items, cfg)
            posts += posts_for_digest(edition, cfg, thread=thread, language=language)
    return posts


@pytest.fixture
def example_items(examples: Path) -> tuple[Config, list[Highlights]]:
    cfg = read_config(examples / "feeds.toml")
    specs = [str(examples / "articles"), str(examples / "feeds" / "veille-cloud.xml")]
    return cfg, pipeline.read_highlights(specs, cfg=cfg)


@pytest.mark.slow
def test_no_post_or_part_ends_inside_a_sentence(
    example_items: tuple[Config, list[Highlights]],
) -> None:
    cfg, items = example_items
    corpus = pipeline.read_highlights([str(DATA / "highlights")], cfg=cfg)
    posts = corpus_posts(cfg, items) + corpus_posts(cfg, corpus)
    cluster, members = lyon_cluster()
    for small in (cfg, config(), config(mastodon_limit=100)):
        for h in (lyon_fr(), kubecon_en(), proxmox_fr(), *items):
            posts += posts_for_article(h, small, thread=True)
            posts += posts_for_article(h, small)
        posts += posts_for_cluster(cluster, members, small)
        posts += posts_for_digest(digest(15), small, thread=True)
    assert len(posts) > 200
    for post in posts:
        assert post.count <= post.limit, post.text
        assert ends_well(post.text), (post.platform, post.part, post.text)
        assert "…\n" not in post.text + "\n" or "… et" in post.text or "…and" in post.text


def test_a_thread_opens_with_a_part_that_stands_alone_and_numbers_every_part(
    example_items: tuple[Config, list[Highlights]],
) -> None:
    cfg, items = example_items
    lyon = next(h for h in items if h.article.source.endswith("journees-openinfra-lyon.md"))
    parts = posts_for_article(lyon, cfg, ["bluesky"], thread=True)
    assert len(parts) > 1
    first = parts[0].text
    assert "étai" in first and "650 participants" in first  # who went where, the figure
    assert "https://www.example.org/blog/journees-openinfra-lyon/" in first  # the link
    for i, part in enumerate(parts, 1):
        assert part.text.endswith(f"\n\n{i}/{len(parts)}") and part.count <= 300


def test_a_recap_post_speaks_as_the_team_with_the_figure_before_the_fold(
    example_items: tuple[Config, list[Highlights]],
) -> None:
    cfg, items = example_items
    recaps = [h for h in items if h.article.kind == "file"]
    assert len(recaps) == 4
    for h in recaps:
        for post in posts_for_article(h, cfg):
            fold = re.sub(r"\s", "", post.text[:140])
            assert any(re.sub(r"\s", "", f.value) in fold for f in h.figures), post.text
            assert post.language == "fr"
            assert h.article.url and h.article.url in post.text
            if post.platform == "linkedin":
                bullets = [line for line in post.text.split("\n") if line.startswith("• ")]
                assert 2 <= len(bullets) <= 4
                assert all(ends_sentence(b) for b in bullets)
                assert 3 <= len(re.findall(r"(?<!\S)#\w+", post.text)) <= 5
                assert "Lire le compte rendu\u202f: https://www.example.org/blog/" in post.text
    kubecon = next(h for h in recaps if "kubecon" in h.article.source)
    (post,) = posts_for_article(kubecon, cfg, ["linkedin"])
    assert post.text.startswith(
        "Nous étions à la KubeCon North America 2026, à Salt Lake City, du 10 au 13 novembre."
    )


def test_authors_in_the_front_matter_say_who_went(tmp_path: Path) -> None:
    recap = tmp_path / "2026-06-12-summit.md"
    recap.write_text(
        '---\ntitle: "OpenInfra Summit Europe 2025 : nos notes"\nauthors: [Bruno Durand, Joffrey]\n'
        "lang: fr\n---\n\nLe 17 octobre, l'OpenInfra Summit Europe 2025 a réuni 1 200 "
        "participants à Paris-Saclay.\n\nLa fondation a annoncé trois nouveaux projets.\n",
        encoding="utf-8",
    )
    (h,) = pipeline.read_highlights([str(recap)])
    (post,) = posts_for_article(h, config(), ["linkedin"])
    assert post.text.startswith(
        "Bruno et Joffrey étaient à l’OpenInfra Summit Europe 2025, à Paris-Saclay, le 17 octobre."
    )
    assert "1\u202f200 participants" in post.text[:140]


def test_a_recap_link_is_its_url_else_base_url_and_its_slug_or_file_name(tmp_path: Path) -> None:
    recaps = tmp_path / "recaps"
    recaps.mkdir()
    (recaps / "2026-11-17-lyon.md").write_text("---\ntitle: Lyon\n---\n\nTexte.\n", "utf-8")
    (recaps / "b.md").write_text("---\ntitle: B\nslug: notre-atelier\n---\n\nTexte.\n", "utf-8")
    (recaps / "c.md").write_text(
        "---\ntitle: C\nurl: https://blog.example.org/c.html\n---\n\nTexte.\n", "utf-8"
    )
    (tmp_path / "feeds.toml").write_text(
        '[[sources]]\nname = "Recaps"\npath = "recaps"\nbase_url = "https://blog.example.org/posts"\n',
        "utf-8",
    )
    cfg = read_config(tmp_path / "feeds.toml")
    links = {
        Path(h.article.source).name: h.article.url
        for h in pipeline.read_highlights([str(recaps)], cfg=cfg)
    }
    assert links == {
        "2026-11-17-lyon.md": "https://blog.example.org/posts/lyon/",
        "b.md": "https://blog.example.org/posts/notre-atelier/",
        "c.md": "https://blog.example.org/c.html",
    }


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('path = "r"\nbase_url = "ftp://x"', "is not a valid URL (https:, http: only)"),
        ('url = "https://a.example/feed"\nbase_url = "https://b.example/"', "is a feed"),
    ],
)
def test_base_url_errors_name_the_source(tmp_path: Path, source: str, message: str) -> None:
    from recapmail.errors import ConfigError

    (tmp_path / "feeds.toml").write_text(f'[[sources]]\nname = "R"\n{source}\n', "utf-8")
    with pytest.raises(ConfigError) as error:
        read_config(tmp_path / "feeds.toml")
    assert 'feeds.toml:4: sources[1] ("R").base_url: ' in str(error.value)
    assert message in str(error.value)


def test_social_json_lists_every_recap_of_one_event(examples: Path) -> None:
    articles = examples / "articles"
    result = CliRunner().invoke(
        app,
        [
            "social",
            str(articles / "2026-11-17-journees-openinfra-lyon.md"),
            str(articles / "2026-11-18-openinfra-days-lyon-en.md"),
            "--config",
            str(examples / "feeds.toml"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    posts = json.loads(result.output)
    assert {p["platform"] for p in posts} == set(PLATFORMS)
    for post in posts:
        assert post["source"] == "journees-openinfra-lyon-2026"
        assert sorted(Path(s).name for s in post["sources"]) == [
            "2026-11-17-journees-openinfra-lyon.md",
            "2026-11-18-openinfra-days-lyon-en.md",
        ]
        assert post["count"] == count(post["text"], post["platform"])
        assert post["language"] == "fr"


def test_social_language_option_chooses_the_frame(examples: Path) -> None:
    recap = examples / "articles" / "2026-11-18-openinfra-days-lyon-en.md"
    args = ["social", str(recap), "--config", str(examples / "feeds.toml"), "--json"]
    english = json.loads(CliRunner().invoke(app, [*args, "--language", "en"]).output)
    french = json.loads(CliRunner().invoke(app, args).output)
    assert english[0]["text"].startswith("Tom was at OpenInfra Days Lyon 2026.")
    assert (
        "Read the recap: https://www.example.org/blog/openinfra-days-lyon-en/" in english[0]["text"]
    )
    assert french[0]["text"].startswith("Tom était aux OpenInfra Days Lyon 2026.")
    assert "Lire le compte rendu\u202f: https://www.example.org/blog/" in french[0]["text"]
    result = CliRunner().invoke(app, [*args, "--language", "de"])
    assert result.exit_code == 2


@pytest.mark.parametrize("language", ["fr", "en"])
def test_golden_posts_of_the_examples_recaps(
    example_items: tuple[Config, list[Highlights]], language: str
) -> None:
    """Read by a person once: posts a consultant would post, in both frames."""
    cfg, items = example_items
    from recapmail.highlights import cluster

    recaps = [h for h in items if h.article.kind == "file"]
    clusters, membership = cluster(recaps)
    blocks: list[str] = []
    done: set[str] = set()
    for h in recaps:
        cid = membership.get(h.article.source)
        if cid is None:
            posts = posts_for_article(h, cfg, language=language)
        elif cid in done:
            continue
        else:
            done.add(cid)
            c = next(c for c in clusters if c.id == cid)
            members = [m for m in recaps if membership.get(m.article.source) == cid]
            posts = posts_for_cluster(c, members, cfg, language=language)
        for post in posts:
            name = Path(post.source).name
            blocks.append(
                f"───── {post.platform} · {name} · {post.count}/{post.limit}\n{post.text}\n"
            )
    assert_golden(Path("social") / f"recaps-{language}.txt", "\n".join(blocks))


def test_clause_cuts_stop_at_punctuation_outside_brackets_never_on_a_hanging_word() -> None:
    sentence = (
        "Le salon a réuni 650 participants (venus de 14 pays, surtout), soit une hausse de 30 %."
    )
    assert clause_cuts(sentence) == [
        "Le salon a réuni 650 participants (venus de 14 pays, surtout)"
    ]
    short = shorten_sentences(sentence, lambda s: len(s) <= 70)
    assert short == "Le salon a réuni 650 participants (venus de 14 pays, surtout)."
    assert shorten_sentences("Un mot, deux mots, trois mots et plus.", lambda s: len(s) < 5) == ""


def test_a_cluster_post_of_the_teams_recaps_is_one_post_with_all_its_sources() -> None:
    cluster, members = lyon_cluster()
    members = [replace(m, article=replace(m.article, kind="file")) for m in members]
    for post in posts_for_cluster(cluster, members, config()):
        assert post.sources == tuple(m.article.source for m in members)
        assert ends_well(post.text)


@pytest.mark.parametrize(
    ("event", "said"),
    [
        ("Journées OpenInfra Lyon 2026", "aux Journées OpenInfra Lyon 2026"),
        ("OpenInfra Days Lyon 2026", "aux OpenInfra Days Lyon 2026"),
        ("KubeCon North America 2026", "à la KubeCon North America 2026"),
        ("Cloud Libre Summit 2025", "au Cloud Libre Summit 2025"),
        ("Open Source Experience 2026", "à l’Open Source Experience 2026"),
    ],
)
def test_french_says_where_the_team_was_with_the_right_article(event: str, said: str) -> None:
    from recapmail.render.social_voice import _at

    assert _at(event, "fr") == said


def test_recaps_of_one_event_in_the_corpus_say_where_and_when() -> None:
    items = pipeline.read_highlights([str(DATA / "highlights")])
    from recapmail.highlights import cluster

    clusters, membership = cluster(items)
    (event,) = [c for c in clusters if "cloud-libre" in c.id]
    members = [h for h in items if membership.get(h.article.source) == event.id]
    (post,) = posts_for_cluster(event, members, config(), ["linkedin"])
    assert post.text.startswith(
        "Nous étions au Cloud Libre Summit 2025, à Lyon, les 12 et 13 juin."
    )
    assert len(post.sources) == len(members) > 1


def test_the_newsletter_links_the_teams_recaps_to_its_blog(examples: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "newsletter",
            str(examples / "articles"),
            "--config",
            str(examples / "feeds.toml"),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    (text,) = tmp_path.glob("*/newsletter.txt")
    body = text.read_text("utf-8")
    for slug in ("journees-openinfra-lyon", "atelier-proxmox", "kubecon-na-2026-notes"):
        assert f"https://www.example.org/blog/{slug}/" in body
    linkedin = (text.parent / "social" / "linkedin.txt").read_text("utf-8")
    assert "https://www.example.org/" in linkedin and ends_well(linkedin)


def test_the_voice_settings_speak_as_the_team_wants() -> None:
    from recapmail.config import SocialConfig

    base = config()
    neutral = posts_for_article(proxmox_fr(), base, ("linkedin",))[0].text
    assert "→ Lire le compte rendu" in neutral  # the default: an infinitive, no emoji
    social = replace(base.social, first_person=False, address="vous", emoji=True)
    voiced = posts_for_article(proxmox_fr(), replace(base, social=social), ("linkedin",))[0]
    assert "👉 Lisez notre compte rendu" in voiced.text
    assert voiced.count <= voiced.limit
    tu = replace(base, social=replace(base.social, address="tu"))
    assert "→ Lis notre compte rendu" in posts_for_article(proxmox_fr(), tu, ("mastodon",))[0].text
    assert isinstance(social, SocialConfig)


def test_a_team_not_in_the_first_person_is_named() -> None:
    from recapmail.render.social_voice import _presence

    assert (
        _presence((), "KubeCon 2026", "Paris", "", "fr")
        == "Nous étions à la KubeCon 2026, à Paris."
    )
    assert _presence((), "KubeCon 2026", "Paris", "", "fr", team="Pôle infra") == (
        "Pôle infra était à la KubeCon 2026, à Paris."
    )
    assert _presence(("Claire",), "KubeCon 2026", "", "", "fr", team="Pôle infra") == (
        "Claire était à la KubeCon 2026."
    )


def test_voice_settings_are_read_and_checked(tmp_path: Path) -> None:
    from recapmail.errors import ConfigError

    path = tmp_path / "feeds.toml"
    path.write_text('[social]\nfirst_person = false\naddress = "tu"\nemoji = true\n')
    social = read_config(path).social
    assert (social.first_person, social.address, social.emoji) == (False, "tu", True)
    path.write_text('[social]\naddress = "ils"\n')
    with pytest.raises(ConfigError, match=r"feeds.toml:2: social.address: 'ils': use \"vous\""):
        read_config(path)
