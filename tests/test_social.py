"""Social posts: within each platform's limit as it counts, readable, in the article's language."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from recapmail.digest import special_digest
from recapmail.model import PLATFORMS, Figure, Highlights, Post
from recapmail.render.counting import count, fits, mastodon_urls
from recapmail.render.social import (
    post_files,
    posts_for_article,
    posts_for_cluster,
    posts_for_digest,
)
from recapmail.serialize import post_dict
from tests.data.social.fixtures import config, digest, kubecon_en, lyon_cluster, lyon_fr, proxmox_fr

NNBSP = "\u202f"
HASHTAG = re.compile(r"(?<!\S)#\w+")


_URL = re.compile(r"https?://\S+")


def as_the_platform_counts(post: Post) -> int:
    """An oracle written apart from render/counting.py, for the posts recapmail writes (URLs
    with a scheme, no mention): LinkedIn counts UTF-16 code units; Mastodon characters, each
    link as 23; Bluesky characters with each link shown as its host and its path, a path over
    15 characters cut at 13 and "..." (the app's form; these posts' links are plain ASCII)."""
    import regex

    def chars(text: str) -> int:
        return len(regex.findall(r"\X", text))

    if post.platform == "linkedin":
        return len(post.text.encode("utf-16-le")) // 2
    if post.platform == "mastodon":
        return chars(_URL.sub("x" * 23, post.text))

    def shown(url: str) -> str:
        host, slash, path = url.split("://", 1)[1].partition("/")
        path = slash + path if path else ""
        return host + (path if len(path) <= 15 else path[:13] + "...")

    return chars(_URL.sub(lambda m: shown(m.group()), post.text))


def all_posts() -> list[Post]:
    cfg = config()
    cluster, members = lyon_cluster()
    posts: list[Post] = []
    for thread in (False, True):
        for h in (lyon_fr(), kubecon_en(), proxmox_fr()):
            posts += posts_for_article(h, cfg, thread=thread)
        posts += posts_for_cluster(cluster, members, cfg, thread=thread)
        for size in (0, 1, 3, 8, 15):
            posts += posts_for_digest(digest(size), cfg, thread=thread)
    return posts


def test_every_post_fits_its_platform_as_the_platform_counts() -> None:
    posts = all_posts()
    assert {p.platform for p in posts} == set(PLATFORMS)
    for post in posts:
        assert post.count == as_the_platform_counts(post), (post.platform, post.text)
        assert post.count <= post.limit, post.text
        assert fits(post.text, post.platform, post.limit)
        assert post.text == post.text.strip() and "\n\n\n" not in post.text


def test_linkedin_hook_says_what_happened_and_the_key_figure_before_the_fold() -> None:
    (post,) = posts_for_article(lyon_fr(), config(), ["linkedin"])
    fold = post.text[:200]
    assert "Rencontres Cloud Lyon 2026" in fold
    assert "720 participants" in fold
    first_paragraph = post.text.split("\n\n")[0]
    assert count(first_paragraph, "linkedin") <= 200


def test_linkedin_post_has_bullets_the_link_and_three_to_five_hashtags() -> None:
    h = lyon_fr()
    (post,) = posts_for_article(h, config(), ["linkedin"])
    assert post.text.count("\n• ") >= 3
    assert h.article.url in post.text
    tags = HASHTAG.findall(post.text)
    assert 3 <= len(tags) <= 5
    assert "#OpenSource" in tags and "#CloudOuvert" in tags  # the config's standing hashtags
    paragraphs = [p for p in post.text.split("\n\n") if not p.startswith("•")]
    assert all(count(p, "linkedin") <= 400 for p in paragraphs)


def test_hashtags_are_camel_case_without_accents_and_deduplicated() -> None:
    h = replace(
        lyon_fr(),
        hashtags=("#OpenStack", "openstack", "souveraineté numérique", "#Opensource", "2026"),
        keywords=("cloud de confiance",),
    )
    for post in posts_for_article(h, config(), ["linkedin", "mastodon"]):
        tags = HASHTAG.findall(post.text)
        assert len({t.casefold() for t in tags}) == len(tags), tags
        assert all(t.isascii() and t[1].isupper() for t in tags), tags
        assert "#SouveraineteNumerique" in tags
        assert "#2026" not in tags


def test_a_french_article_gives_a_french_post_with_french_typography() -> None:
    posts = posts_for_article(lyon_fr(), config())
    for post in posts:
        assert post.language == "fr"
        assert " :" not in post.text and " %" not in post.text  # only no-break spaces there
        assert f"2{NNBSP}100 machines" in post.text or post.platform != "linkedin"
    linkedin = posts[0]
    assert f"Lire le compte rendu{NNBSP}: https://" in linkedin.text


def test_an_english_article_keeps_its_sentences_inside_the_teams_french_frame() -> None:
    posts = posts_for_article(kubecon_en(), config())
    for post in posts:
        assert post.language == "fr"
        assert "KubeCon North America 2026: what we learned" in post.text  # no French spacing
    assert f"Lire l’article{NNBSP}: https://news.example.com/" in posts[0].text


def test_the_frame_language_can_be_chosen() -> None:
    posts = posts_for_article(kubecon_en(), config(), language="en")
    for post in posts:
        assert post.language == "en"
        assert NNBSP not in post.text
    assert "Read the article: https://news.example.com/" in posts[0].text
    (recap,) = posts_for_article(lyon_fr(), config(), ["linkedin"], language="en")
    assert recap.text.startswith("We were at Rencontres Cloud Lyon 2026")
    assert "Read the recap: https://blog.example.org/" in recap.text


def test_the_full_link_stays_in_every_post() -> None:
    h = kubecon_en()
    for post in posts_for_article(h, config()):
        assert h.article.url in post.text


def test_mastodon_counts_the_link_as_23_and_uses_the_configured_limit() -> None:
    h = replace(
        lyon_fr(), article=replace(lyon_fr().article, url="https://example.org/" + "x" * 300)
    )
    (post,) = posts_for_article(h, config(mastodon_limit=500), ["mastodon"])
    assert h.article.url in post.text
    assert len(post.text) > 500 >= post.count
    (roomy,) = posts_for_article(h, config(mastodon_limit=1000), ["mastodon"])
    assert roomy.limit == 1000 and roomy.count <= 1000
    assert roomy.text.count("• ") > post.text.count("• ")


def test_a_summary_too_long_loses_whole_sentences_never_words() -> None:
    words = [f"word{i}" for i in range(200)]
    h = replace(kubecon_en(), summary=" ".join(words) + ".", highlights=())
    (post,) = posts_for_article(h, config(), ["bluesky"])
    assert post.count <= 300
    assert "word0" not in post.text  # one sentence longer than the post: left out whole
    assert "…" not in post.text

    # Sentences that fit are kept whole, the one that does not is left out.
    first = "The first sentence, long enough, says what mattered most in Salt Lake City."
    (post,) = posts_for_article(
        replace(h, summary=f"{first} Then " + " ".join(words) + "."), config(), ["bluesky"]
    )
    assert post.text.split("\n\n")[1] == first
    assert "Then" not in post.text


def test_hostile_article_text_comes_out_as_clean_plain_text() -> None:
    h = Highlights(
        article=replace(lyon_fr().article, url="javascript:alert(1)", source="evil.md"),
        title="<script>alert(1)</script>Rencontres &amp;amp; <b>Cloud</b> \u202eLyon\u202c",
        language="fr",
        summary="Un **texte** avec [un lien](javascript:alert(2)) et {{ 7*7 }}\u200b et &lt;i&gt;.",
        highlights=("<img src=x onerror=alert(3)>Point\u2066 fort &#x26; clair",),
        figures=(Figure("<b>720</b>", 720.0, "participants", ""),),
        hashtags=("#<script>", "#Sécurité\u200b", "{{ x }}"),
    )
    for post in posts_for_article(h, config()):
        text = post.text
        for bad in ("<", ">", "&amp", "&lt", "&#", "**", "](", "javascript", "alert"):
            assert bad not in text, (bad, text)
        assert not re.search(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", text)
        assert "{{ 7*7 }}" in text and "49" not in text  # template syntax stays literal
        assert "#Securite" in text and "#X" not in text


def test_a_cluster_post_links_the_main_recap_and_lists_the_others() -> None:
    cluster, members = lyon_cluster()
    (post,) = posts_for_cluster(cluster, members, config(), ["linkedin"])
    assert post.source == "rencontres-cloud-lyon-2026"
    assert members[0].article.url in post.text and members[1].article.url in post.text
    assert post.language == "fr"


def test_a_digest_post_leads_with_the_week_and_its_top_story() -> None:
    (post,) = posts_for_digest(digest(3), config(), ["linkedin"])
    fold = post.text[:200]
    assert "semaine du 16 au 22 novembre 2026" in fold
    assert "720 participants" in fold
    for item in digest(3).shown:
        assert item.highlights.article.url in post.text  # every shown item is listed
    assert "https://www.example.org/veille/" in post.text


def test_a_long_digest_drops_whole_entries_and_says_how_many_are_left() -> None:
    (post,) = posts_for_digest(digest(15), config(), ["mastodon"])
    assert post.count <= 500
    listed = post.text.count("\n• ")
    assert 0 < listed < 15
    assert f"… et {15 - listed} autres sujets dans la lettre." in post.text


def test_thread_splits_into_numbered_parts_that_each_fit_and_lose_nothing() -> None:
    cfg = config()
    (whole,) = posts_for_digest(digest(12), config(mastodon_limit=100_000), ["mastodon"])
    parts = posts_for_digest(digest(12), cfg, ["mastodon"], thread=True)
    assert len(parts) > 1
    bodies = []
    for i, part in enumerate(parts, 1):
        assert (part.part, part.parts) == (i, len(parts))
        assert part.text.endswith(f"\n\n{i}/{len(parts)}")
        assert part.count <= 500
        bodies.append(part.text.rsplit("\n\n", 1)[0])
    assert " ".join(bodies).split() == whole.text.split()  # no word, URL or hashtag cut
    urls = [whole.text[s:e] for s, e in mastodon_urls(whole.text)]
    for url in urls:
        assert sum(url in body for body in bodies) >= 1


def test_a_short_post_is_not_made_a_thread() -> None:
    posts = posts_for_article(proxmox_fr(), config(), ["mastodon"], thread=True)
    assert len(posts) == 1 and posts[0].parts == 1


def test_post_files_write_one_file_per_platform_and_separate_thread_parts() -> None:
    posts = posts_for_digest(digest(12), config(), thread=True)
    files = post_files(posts)
    assert set(files) == {"social/linkedin.txt", "social/mastodon.txt", "social/bluesky.txt"}
    (linkedin,) = [p for p in posts if p.platform == "linkedin"]
    assert files["social/linkedin.txt"] == linkedin.text + "\n"
    mastodon = [p for p in posts if p.platform == "mastodon"]
    text = files["social/mastodon.txt"]
    for part in mastodon:
        assert f"{part.part}/{part.parts} · {part.count}/{part.limit}" in text
        assert part.text in text


def test_json_contract_and_terminal_view(capsys: pytest.CaptureFixture[str]) -> None:
    (post,) = posts_for_article(lyon_fr(), config(), ["mastodon"])
    data = json.loads(json.dumps(post_dict(post)))
    assert set(data) == {
        "source",
        "sources",
        "platform",
        "language",
        "part",
        "parts",
        "text",
        "count",
        "limit",
    }
    assert data["count"] == count(data["text"], "mastodon") and data["limit"] == 500
    from recapmail.cli_output import echo_post

    echo_post(post)
    shown = capsys.readouterr().out
    assert post.text in shown
    assert shown.rstrip().endswith(f"{post.count}/500 characters")


def test_a_user_template_overrides_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "social").mkdir()
    (tmp_path / "social" / "mastodon.txt.j2").write_text(
        "{{ hook }}\n\nMaison : {{ link }}\n", encoding="utf-8"
    )
    cfg = config()
    cfg = replace(cfg, newsletter=replace(cfg.newsletter, templates_dir=tmp_path))
    (post,) = posts_for_article(lyon_fr(), cfg, ["mastodon"])
    assert "Maison : https://blog.example.org/" in post.text
    (linkedin,) = posts_for_article(lyon_fr(), cfg, ["linkedin"])
    assert "Maison" not in linkedin.text


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_article_without_link_or_figures_still_makes_a_post(platform: str) -> None:
    h = replace(
        proxmox_fr(),
        article=replace(proxmox_fr().article, url=None),
        figures=(),
        hashtags=(),
        keywords=(),
    )
    (post,) = posts_for_article(h, config(hashtags=()), [platform])  # type: ignore[list-item]
    assert "Proxmox VE" in post.text.split("\n\n")[0]
    assert "http" not in post.text and post.text.rstrip().endswith(".")


@pytest.mark.slow
def test_every_post_from_the_examples_fits_its_limit(examples: Path) -> None:
    """The project's examples, read and highlighted as `recapmail social` does, then posted."""
    from recapmail import pipeline
    from recapmail.config import read_config
    from recapmail.highlights import cluster

    cfg = read_config(examples / "feeds.toml")
    specs = [str(examples / "articles"), str(examples / "feeds" / "veille-cloud.xml")]
    items = pipeline.read_highlights(specs)
    assert len(items) >= 4
    clusters, membership = cluster(items)
    posts: list[Post] = []
    for thread in (False, True):
        for h in items:
            posts += posts_for_article(h, cfg, thread=thread)
        for c in clusters:
            members = [h for h in items if membership.get(h.article.source) == c.id]
            posts += posts_for_cluster(c, members, cfg, thread=thread)
        posts += posts_for_digest(special_digest(items, cfg), cfg, thread=thread)
    for post in posts:
        assert post.count == as_the_platform_counts(post), (post.platform, post.text)
        assert post.count <= post.limit, (post.platform, post.source, post.text)
        assert post.text and "<" not in post.text and "**" not in post.text
        if post.platform == "linkedin":
            assert 3 <= len(HASHTAG.findall(post.text)) <= 5
    languages = {p.source: p.language for p in posts if p.platform == "linkedin"}
    # The team writes in French: its posts are framed in French, whatever the recap's language.
    assert set(languages.values()) == {"fr"}


def test_the_teams_own_name_is_never_a_hashtag() -> None:
    team = replace(config().newsletter, team="Cloud Ouvert")
    cfg = replace(config(), newsletter=team)
    h = replace(lyon_fr(), hashtags=("#CloudOuvert", *lyon_fr().hashtags))
    for post in posts_for_article(h, cfg):
        assert "#cloudouvert" not in post.text.casefold()


def test_a_posts_hashtags_are_those_of_highlights_json(examples: Path) -> None:
    """The ★ `highlights --json` hashtags and the posts' come from one place: a post tags only
    what the JSON says of its articles, and the config's standing tags."""
    from recapmail import pipeline
    from recapmail.config import read_config

    cfg = read_config(examples / "feeds.toml")
    standing = set(cfg.social.hashtags)
    for h in pipeline.read_highlights([str(examples / "articles")]):
        for post in posts_for_article(h, cfg):
            tags = set(HASHTAG.findall(post.text))
            assert tags <= set(h.hashtags) | standing, (post.platform, tags - set(h.hashtags))
