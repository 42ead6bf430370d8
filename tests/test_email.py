"""The newsletter's MJML, HTML and text part rendered from a fixed digest."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from recapmail.model import Digest
from recapmail.render.email import build_view, render_newsletter
from recapmail.typography import NBSP, NNBSP
from tests.email_fixtures import config, digest
from tests.golden import assert_golden

GMAIL_CLIP = 102 * 1024


class Page(HTMLParser):
    """The parts of the HTML the checks below need: tags, links, images, headings, text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[int] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture(scope="module")
def french() -> tuple[str, str, str]:
    n = render_newsletter(digest(), config())
    return n.mjml, n.html, n.text


def test_mjml_and_text_match_the_golden_files(french: tuple[str, str, str]) -> None:
    mjml, _, text = french
    assert_golden(Path("email/fr/newsletter.mjml"), mjml)
    assert_golden(Path("email/fr/newsletter.txt"), text)


def test_english_text_matches_the_golden_file() -> None:
    n = render_newsletter(digest(language="en"), config(language="en"))
    assert_golden(Path("email/en/newsletter.txt"), n.text)
    assert n.subject == "Journées OpenInfra Lyon 2026 — La veille infra ouverte"
    assert "Top story" in n.html and "À la une" not in n.html


def test_subject_and_preheader_put_the_news_first() -> None:
    n = render_newsletter(digest(), config())
    assert n.subject == "Journées OpenInfra Lyon 2026 — La veille infra ouverte"
    chosen = render_newsletter(digest(), config(subject="{title} : {top} ({period})"))
    assert chosen.subject == (
        f"La veille infra ouverte{NNBSP}: Journées OpenInfra Lyon 2026 "
        "(semaine du 16 au 22 novembre 2026)"
    )
    assert n.preheader.startswith(f"À la une{NNBSP}: Journées OpenInfra Lyon 2026")
    assert n.preheader.endswith("et 5 autres articles")  # 7 items, 2 of them in the top story


def test_html_is_a_whole_document_in_the_newsletter_language(french: tuple[str, str, str]) -> None:
    _, html, _ = french
    page = Page(html)
    assert page.all("html")[0]["lang"] == "fr"
    metas = {a.get("name"): a.get("content") for a in page.all("meta")}
    assert metas["color-scheme"] == "light dark"
    assert metas["viewport"] == "width=device-width, initial-scale=1"
    assert "prefers-color-scheme: dark" in html
    english = [a for a in page.all("h3") + page.all("p") if a.get("lang") == "en"]
    assert english, "English items inside a French newsletter carry lang='en'"


def test_headings_go_in_order_from_one_h1(french: tuple[str, str, str]) -> None:
    levels = Page(french[1]).headings
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels


def test_nothing_email_clients_drop(french: tuple[str, str, str]) -> None:
    _, html, _ = french
    page = Page(html)
    for tag in ("script", "form", "input", "iframe", "object", "embed", "video", "base"):
        assert not page.all(tag), tag
    assert not [a for a in page.all("link") if a.get("rel") == "stylesheet"]
    assert "@import" not in html and "googleapis" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_every_link_is_absolute_https_or_mailto(french: tuple[str, str, str]) -> None:
    hrefs = [a["href"] for a in Page(french[1]).all("a")]
    assert len(hrefs) >= 10
    assert all(h and re.match(r"https://[\w.-]+/|mailto:", h) for h in hrefs), hrefs
    assert not any("utm_" in (h or "") for h in hrefs), "tracking is off by default"


def test_tracking_adds_campaign_parameters_when_enabled() -> None:
    n = render_newsletter(digest(), config(tracking=True, utm_source="veille"))
    hrefs = [a["href"] or "" for a in Page(n.html).all("a")]
    article = [h for h in hrefs if "news.example.net" in h]
    assert article and all(
        h.endswith("?utm_source=veille&utm_medium=email&utm_campaign=2026-W47") for h in article
    )
    assert "https://www.example.org/newsletter/unsubscribe" in hrefs  # never on unsubscribe


def test_images_have_alt_width_and_height(french: tuple[str, str, str]) -> None:
    images = Page(french[1]).all("img")
    assert images
    for img in images:
        assert img.get("alt") and img.get("width") and img.get("height"), img
        assert (img.get("src") or "").startswith("https://")


def test_a_fifteen_item_digest_stays_under_gmail_clipping() -> None:
    n = render_newsletter(digest(15), config())
    size = len(n.html.encode("utf-8"))
    assert size < GMAIL_CLIP / 2, size  # ample room for longer real summaries
    assert n.html.count("Lire l’article") == 13  # 15 items, 2 of them recaps in the top story


def test_same_inputs_give_identical_bytes() -> None:
    a = render_newsletter(digest(), config())
    b = render_newsletter(digest(), config())
    assert (a.html, a.text, a.mjml, a.eml) == (b.html, b.text, b.mjml, b.eml)


def test_french_typography_and_number_formats(french: tuple[str, str, str]) -> None:
    _, html, text = french
    assert f"1{NNBSP}200 participants" in text
    assert f"35{NBSP}% de nouveaux venus" in text
    assert f"Kubernetes 1.35{NNBSP}: ce qui change" in html
    assert f"complet dès le premier matin{NNBSP}!" in html
    # English items keep English spacing inside the French newsletter.
    assert "OpenInfra Days Lyon: what we learned" in html


def test_items_are_grouped_by_tag_in_the_order_of_their_best_item() -> None:
    view = build_view(digest(), config())
    assert [g.name for g in view.groups] == ["Kubernetes", "Virtualisation", "OpenStack"]
    kubernetes = view.groups[0].items
    assert [i.title.split(NNBSP)[0] for i in kubernetes] == [
        "Kubernetes 1.35",
        "Gateway API v1.4 is generally available",
    ]
    assert kubernetes[1].date == "21 novembre"  # the newsletter's language, not the item's
    refs = [i.ref or 0 for g in view.groups for i in g.items]
    assert refs == sorted(refs), "links are numbered in reading order"


def test_items_without_tags_are_grouped_by_source() -> None:
    d = digest()
    items = tuple(
        replace(i, highlights=replace(i.highlights, article=replace(i.highlights.article, tags=())))
        for i in d.items
    )
    view = build_view(replace(d, items=items), config())
    assert [g.name for g in view.groups] == [
        "Zwindler",
        "Veille cloud",
        "Superuser (OpenInfra)",
        "Kubernetes Blog",
        "Nos comptes rendus",
    ]


def test_without_cluster_the_best_item_leads() -> None:
    d = replace(digest(), clusters=())
    n = render_newsletter(d, config())
    view = build_view(d, config())
    assert view.top is not None and view.top.title.startswith("Journées OpenInfra Lyon")
    assert view.top.sources == ()
    assert "OpenInfra Days Lyon: what we learned" in [i.title for g in view.groups for i in g.items]
    assert n.text.count(f"Journées OpenInfra Lyon{NNBSP}: notre compte rendu") == 1


def test_an_empty_week_still_renders_a_clear_message() -> None:
    d = Digest(period=digest().period, title="La veille", language="fr", items=())
    n = render_newsletter(d, config())
    assert "Pas de nouvelles cette semaine" in n.preheader
    assert "Pas de nouvelles cette semaine" in n.text and "Pas de nouvelles" in n.html


def test_text_part_is_wrapped_at_72_columns_with_links_listed(
    french: tuple[str, str, str],
) -> None:
    text = french[2]
    lines = text.splitlines()
    assert max(len(line) for line in lines if "://" not in line) <= 72
    assert "<" not in text and "&amp;" not in text
    refs = re.findall(r"^\[(\d+)\] (https://\S+)$", text, re.MULTILINE)
    assert [int(n) for n, _ in refs] == list(range(1, len(refs) + 1))
    assert ("3", "https://news.example.net/03-article") in refs
    assert f"Kubernetes 1.35{NNBSP}: ce qui change pour les opérateurs\u00a0[3]" in text
    assert "\n-- \n" in text  # the signature separator mail clients recognise


def test_footer_has_team_reason_and_unsubscribe(french: tuple[str, str, str]) -> None:
    _, html, text = french
    assert "Pôle infrastructure ouverte" in html
    assert "parce que vous travaillez avec notre pôle" in html
    assert 'href="https://www.example.org/newsletter/unsubscribe"' in html
    assert f"Se désinscrire{NNBSP}: https://www.example.org/newsletter/unsubscribe" in text


def test_without_unsubscribe_url_the_footer_offers_a_mailto() -> None:
    n = render_newsletter(digest(), config(unsubscribe_url=""))
    assert 'href="mailto:veille@example.org?subject=D%C3%A9sinscription"' in n.html


def test_a_user_template_replaces_one_partial(tmp_path: Path) -> None:
    partial = tmp_path / "email" / "partials" / "_footer.mjml.j2"
    partial.parent.mkdir(parents=True)
    partial.write_text(
        '{% include "!default/email/partials/_footer.mjml.j2" %}\n'
        "    <mj-section><mj-column><mj-text>Bonne semaine, {{ team }} !</mj-text>"
        "</mj-column></mj-section>\n",
        encoding="utf-8",
    )
    n = render_newsletter(digest(), config(templates_dir=tmp_path))
    assert "Bonne semaine, Pôle infrastructure ouverte !" in n.html
    assert "Se désinscrire" in n.html  # the shipped footer is still there
    assert "À la une" in n.html  # every other partial is the shipped one


def test_long_summaries_are_cut_to_two_whole_sentences() -> None:
    long = (
        "Le 19 nov. 2026, nous avons animé un atelier pour neuf clients. "
        "M. Martin a présenté la migration de 40 machines. "
        "Une troisième phrase qui ne doit pas apparaître."
    )
    d = digest(3)
    first = replace(d.items[2], highlights=replace(d.items[2].highlights, summary=long))
    view = build_view(replace(d, items=(*d.items[:2], first)), config())
    summary = view.groups[0].items[0].summary
    assert summary == (
        "Le 19 nov. 2026, nous avons animé un atelier pour neuf clients. "
        "M. Martin a présenté la migration de 40 machines."
    )
    endless = "mot " * 200
    cut = replace(first, highlights=replace(first.highlights, summary=endless))
    short = build_view(replace(d, items=(*d.items[:2], cut)), config()).groups[0].items[0].summary
    assert short.endswith("mot…") and len(short) <= 321


def test_compiled_templates_are_kept_and_a_broken_cache_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recapmail.render.templates import environment

    def fresh_render() -> str:
        environment.cache_clear()  # a new process, as far as templates go
        try:
            return render_newsletter(digest(), config()).html
        finally:
            environment.cache_clear()

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    html = fresh_render()
    kept = sorted((tmp_path / "cache" / "recapmail" / "templates").glob("*.cache"))
    assert len(kept) >= 10  # the newsletter and its partials
    for path in kept:
        path.write_bytes(b"not bytecode")
    assert fresh_render() == html  # read as stale, compiled again
    assert all(path.read_bytes() != b"not bytecode" for path in kept)
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert fresh_render() == html  # no cache folder: no cache, no error
