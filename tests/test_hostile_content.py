"""Active content and injection: hostile articles, pages and feeds through every command.

Each case is an article written by an attacker. It goes through `highlights --json`,
`newsletter`, `social --json` and `digest` (a config pointing at the file and at a feed served
on 127.0.0.1); every output file must be inert (tests/hostile.py) and the attack's text, where
it is shown, must stay text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recapmail.cli import app
from tests.feedserver import FeedServer, feed_server
from tests.hostile import active_content, assert_inert, edition_folders

pytestmark = pytest.mark.slow  # real processes, servers and files: see pyproject's markers

__all__ = ["feed_server"]
runner = CliRunner()

PROSE = (
    "Le Summit OpenInfra a réuni 1 200 participants à Lyon cette semaine. "
    "Les opérateurs ont comparé OpenStack et KubeVirt pour sortir de VMware. "
    "La souveraineté numérique était au cœur des échanges avec 40 % de sessions sur le sujet."
)

# Payloads a browser would run, in the spellings that slip past naive filters.
URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript&#58;alert(1)",
    " \x01javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DaTa:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
]
TAGS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<form action="https://evil.example/"><input name=p></form>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="width:expression(alert(1))">x</div>',
    '<p style="behavior:url(x.htc)">x</p>',
    '<a href="javascript:alert(1)" onclick="alert(2)">clic</a>',
    "<details open ontoggle=alert(1)>",
    '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
    "<!--<img src=x onerror=alert(1)>-->",
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
]
INJECTIONS = [
    "</mj-text><mj-raw><script>alert(1)</script></mj-raw><mj-text>",
    '<mj-include path="/etc/passwd" />',
    '</mj-column></mj-section><mj-section><mj-button href="javascript:alert(1)">x</mj-button>',
    "{{ 7 * 7 }} {{ config.__class__.__init__.__globals__ }}",
    "{% for x in range(99999999) %}boucle{% endfor %}",
    "{# commentaire #} {%- raw %}",
    "]]><script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]


def markdown_case(payload: str, where: str) -> str:
    """A recap whose title, tags, body, link or list carries `payload`."""
    title = f"Retour du Summit {payload}" if where == "title" else "Retour du Summit de Lyon"
    url = payload if where == "url" else "https://www.example.org/summit"
    front = (
        "---\n"
        f"title: {json.dumps(title)}\n"
        "date: 2026-11-18\n"
        f"url: {json.dumps(url)}\n"
        f"tags: [OpenStack, {json.dumps(payload if where == 'tags' else 'Lyon')}]\n"
        f"description: {json.dumps(payload if where == 'description' else 'Un résumé.')}\n"
        "---\n"
    )
    body = f"# Ce qu'il faut retenir\n\n{PROSE}\n\n"
    if where == "body":
        body += f"Un paragraphe piégé {payload} au milieu du texte sur Kubernetes.\n\n"
        body += f"- Un point {payload} de la liste\n- [Le lien]({payload})\n\n> {payload}\n"
    if where == "link":
        body += f"Voir [les diapositives]({payload}) et <{payload}>.\n"
    return front + body


def html_case(payload: str) -> str:
    return (
        "<!doctype html><html><head>"
        f"<title>Retour KubeCon {payload}</title>"
        f'<meta name="description" content="{payload}">'
        '<link rel="canonical" href="javascript:alert(1)">'
        "</head><body><article>"
        f"<h1>Retour KubeCon {payload}</h1><p>{PROSE}</p>"
        f"<p>Un paragraphe {payload} avec <a href='{payload}'>un lien</a>.</p>"
        f"<p>{PROSE}</p></article></body></html>"
    )


def cases() -> list[tuple[str, str, str]]:
    """(name, file name, content): every payload in every place it can hide."""
    out: list[tuple[str, str, str]] = []
    for i, payload in enumerate(TAGS + INJECTIONS):
        for where in ("title", "body", "tags", "description"):
            out.append((f"md-{where}-{i}", f"{where}-{i}.md", markdown_case(payload, where)))
        out.append((f"html-{i}", f"page-{i}.html", html_case(payload)))
        out.append((f"txt-{i}", f"plain-{i}.txt", f"{PROSE}\n\n{payload}\n\n{PROSE}\n"))
    for i, url in enumerate(URLS):
        for where in ("url", "link"):
            out.append((f"url-{where}-{i}", f"url-{where}-{i}.md", markdown_case(url, where)))
    return out


CASES = cases()


def hostile_feed(payloads: list[str]) -> bytes:
    """RSS whose items carry payloads in CDATA HTML, escaped HTML, titles, links and categories."""
    items = []
    for i, p in enumerate(payloads):
        escaped = p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        link = p if p.startswith(("javascript", "data", "vbscript", "file")) else ""
        items.append(
            f"<item><title>Titre {escaped} {i}</title>"
            f"<link>{escaped if link else f'https://news.example.org/{i}'}</link>"
            f"<guid>https://news.example.org/{i}</guid>"
            "<pubDate>Wed, 18 Nov 2026 10:00:00 GMT</pubDate>"
            f"<category>{escaped}</category>"
            f"<description><![CDATA[<p>{PROSE}</p><p>{p}</p>"
            f'<a href="{p}">lien</a>]]></description>'
            f"<author>{escaped}</author></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Flux &lt;script&gt;alert(1)&lt;/script&gt;</title>"
        "<link>https://news.example.org/</link><language>fr</language>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def hostile_atom(payloads: list[str]) -> bytes:
    entries = []
    for i, p in enumerate(payloads):
        escaped = p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        entries.append(
            f'<entry><title type="html">Atom {escaped} {i}</title>'
            f'<link href="https://atom.example.org/{i}"/><id>urn:atom:{i}</id>'
            "<updated>2026-11-18T10:00:00Z</updated>"
            f'<content type="html">{escaped} &lt;p&gt;{PROSE}&lt;/p&gt;</content>'
            f'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{PROSE}</div>'
            "</content></entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        '<title type="html">Atom &lt;img src=x onerror=alert(1)&gt;</title>'
        '<link href="javascript:alert(1)"/><id>urn:atom</id>'
        "<updated>2026-11-18T10:00:00Z</updated>" + "".join(entries) + "</feed>"
    ).encode()


def hostile_json_feed(payloads: list[str]) -> bytes:
    items = [
        {
            "id": f"json-{i}",
            "url": p if p.startswith(("javascript", "data")) else f"https://json.example.org/{i}",
            "title": f"JSON {p} {i}",
            "content_html": f"<p>{PROSE}</p>{p}",
            "summary": p,
            "date_published": "2026-11-18T10:00:00Z",
            "tags": [p],
            "authors": [{"name": p}],
        }
        for i, p in enumerate(payloads)
    ]
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "JSON", "items": items}
    return json.dumps(doc).encode()


def write_cases(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for _name, filename, content in CASES:
        (folder / filename).write_text(content, encoding="utf-8")
    return folder


def digest_of(folder: Path, config: str) -> tuple[Path, str]:
    """`recapmail digest` of week 2026-W47 with this feeds.toml: the edition, and stderr."""
    path = folder / "feeds.toml"
    path.write_text(config, encoding="utf-8")
    out = folder / "out"
    code, _, stderr = invoke(
        "digest", "--config", str(path), "--week", "2026-W47", "--out", str(out)
    )
    assert code == 0, stderr
    (edition,) = edition_folders(out)
    return edition, stderr


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_checker_sees_what_a_browser_would_run() -> None:
    for payload in [*TAGS[:-2], '<a href="jav&#x0A;ascript:alert(1)">x</a>']:
        if payload.startswith("<scr<script>") or payload.startswith("<math"):
            continue
        assert active_content(payload), payload
    assert active_content('<a href="&#106;avascript:x">a</a>')
    assert active_content('<a href=" JAVA\tSCRIPT:x">a</a>')
    assert active_content('<img src="data:text/html,x">')
    assert active_content('<mj-include path="/etc/passwd" />')
    assert not active_content('<a href="https://example.org/?a=1&amp;b=2">ok</a>')
    assert not active_content("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert not active_content('<a href="mailto:a@example.org">m</a><img src="cid:logo">')


@pytest.mark.parametrize(("name", "filename", "content"), CASES, ids=[c[0] for c in CASES])
def test_one_hostile_article_gives_inert_outputs(
    name: str, filename: str, content: str, tmp_path: Path
) -> None:
    source = tmp_path / filename
    source.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, stderr = invoke("newsletter", str(source), "--out", str(out))
    assert code == 0, stderr
    assert "Traceback" not in stderr
    (edition,) = edition_folders(out)
    assert_inert(edition)
    code, stdout, stderr = invoke("highlights", str(source), "--json")
    assert code == 0, stderr
    for item in json.loads(stdout):
        for value in item.values():
            assert not active_content(json.dumps(value, ensure_ascii=False)), (name, value)


def test_jinja_and_mjml_in_an_article_stay_literal_text(tmp_path: Path) -> None:
    source = tmp_path / "recap.md"
    payload = "{{ 7 * 7 }} et {% if true %}oui{% endif %}"
    source.write_text(markdown_case(payload, "title"), encoding="utf-8")
    secret = tmp_path / "secret.mjml"
    secret.write_text("<mj-text>SECRET-CONTENT</mj-text>", encoding="utf-8")
    include = tmp_path / "include.md"
    include.write_text(markdown_case(f'<mj-include path="{secret}" />', "body"), "utf-8")
    out = tmp_path / "out"
    code, _, stderr = invoke("newsletter", str(source), str(include), "--out", str(out))
    assert code == 0, stderr
    (edition,) = edition_folders(out)
    for path in edition.rglob("*"):
        if path.is_file():
            assert "SECRET-CONTENT" not in path.read_text("utf-8", "replace"), path
    text = (edition / "newsletter.txt").read_text("utf-8")
    assert "{{ 7 * 7 }}" in text and "{% if true %}oui{% endif %}" in text
    html = (edition / "newsletter.html").read_text("utf-8")
    assert "{{ 7 * 7 }}" in html and ">oui<" not in html


def test_yaml_python_tags_never_execute(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    tags = [
        f'!!python/object/apply:os.system ["touch {marker}"]',
        f'!!python/object/new:subprocess.Popen [["touch", "{marker}"]]',
        '!!python/name:os.system ""',
        "!!binary aGVsbG8=",
        '!<tag:yaml.org,2002:python/object/apply:os.system> ["true"]',
    ]
    for i, tag in enumerate(tags):
        source = tmp_path / f"tag-{i}.md"
        source.write_text(f"---\ntitle: {tag}\n---\n{PROSE}\n", encoding="utf-8")
        code, stdout, stderr = invoke("highlights", str(source), "--json")
        assert not marker.exists()
        assert "Traceback" not in stderr
        if code == 1:
            assert stderr.startswith(f"Error: {source}"), stderr
            assert stderr.count("\n") == 1, stderr
        else:
            (found,) = json.loads(stdout)
            assert code == 0 and "python" not in found["title"].lower(), found


def test_a_folder_of_every_case_through_every_command(tmp_path: Path) -> None:
    folder = write_cases(tmp_path / "recaps")
    out = tmp_path / "out"
    code, _, stderr = invoke("newsletter", str(folder), "--out", str(out))
    assert code == 0, stderr
    (edition,) = edition_folders(out)
    assert_inert(edition)
    code, stdout, stderr = invoke("social", str(folder), "--json")
    assert code == 0, stderr
    posts = json.loads(stdout)
    assert posts
    for post in posts:
        assert not active_content(post["text"]), post["text"]
    code, stdout, stderr = invoke("highlights", str(folder), "--json")
    assert code == 0, stderr
    assert len(json.loads(stdout)) == len(CASES)


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
def test_hostile_feeds_through_digest(kind: str, tmp_path: Path, feed_server: FeedServer) -> None:
    payloads = TAGS + INJECTIONS + URLS
    body = {"rss": hostile_feed, "atom": hostile_atom, "json": hostile_json_feed}[kind](payloads)
    ctype = {"json": "application/feed+json"}.get(kind, "application/xml")
    url = feed_server.add(f"/hostile.{kind}", body, content_type=ctype)
    local = tmp_path / f"local.{'json' if kind == 'json' else 'xml'}"
    local.write_bytes(body)
    recaps = write_cases(tmp_path / "recaps")
    edition, stderr = digest_of(
        tmp_path,
        "[newsletter]\n"
        'title = "Veille {{ 7*7 }} {% if 1 %}"\n'
        'team = "Équipe &lt;b&gt; &amp; co"\n'
        'intro = "Intro ]]> &#60;script&#62; -->"\n'
        "max_items = 200\n"
        f'[[sources]]\nname = "distant {{{{ x }}}}"\nurl = "{url}"\n'
        f'[[sources]]\nname = "local"\npath = "{local.name}"\n'
        f'[[sources]]\nname = "recaps"\npath = "{recaps.name}"\n',
    )
    assert "Traceback" not in stderr
    for name in ("newsletter.html", "newsletter.mjml"):
        assert not active_content((edition / name).read_text("utf-8")), name
    digest = json.loads((edition / "digest.json").read_text("utf-8"))
    assert len(digest["items"]) >= len(payloads)
    html = (edition / "newsletter.html").read_text("utf-8")
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("https://", "http://", "mailto:")), href
    assert "{{ 7*7 }}" in (edition / "newsletter.txt").read_text("utf-8")
    assert "Veille {{ 7*7 }}" in html


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
def test_entity_encoded_markup_in_feed_text_never_becomes_a_tag(kind: str, tmp_path: Path) -> None:
    body = {"rss": hostile_feed, "atom": hostile_atom, "json": hostile_json_feed}[kind](
        TAGS + INJECTIONS
    )
    feed = tmp_path / f"feed.{'json' if kind == 'json' else 'xml'}"
    feed.write_bytes(body)
    out = tmp_path / "out"
    code, _, stderr = invoke("newsletter", str(feed), "--out", str(out))
    assert code == 0, stderr
    (edition,) = edition_folders(out)
    assert_inert(edition)


FIXTURES = Path(__file__).parent / "data" / "hostile"


def test_the_fixture_attacks_through_digest_and_a_served_page(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    page = feed_server.add(
        "/page.html",
        (FIXTURES / "page-piege.html").read_bytes(),
        content_type="text/html; charset=utf-8",
    )
    feed = feed_server.add("/flux.xml", (FIXTURES / "flux-piege.xml").read_bytes())
    edition, _ = digest_of(
        tmp_path,
        "[newsletter]\nmax_items = 50\n"
        f'[[sources]]\nname = "recap"\npath = "{FIXTURES / "recap-piege.md"}"\n'
        f'[[sources]]\nname = "page"\nurl = "{page}"\ntype = "page"\n'
        f'[[sources]]\nname = "flux"\nurl = "{feed}"\n',
    )
    assert_inert(edition)
    everything = "".join(p.read_text("utf-8", "replace") for p in edition.rglob("*") if p.is_file())
    assert "root:x:" not in everything and "lollollol" not in everything
    digest = json.loads((edition / "digest.json").read_text("utf-8"))
    assert {i["feed"] for i in digest["items"]} == {"recap", "page", "flux"}
    for command in ("highlights", "social"):
        code, stdout, stderr = invoke(command, page, str(FIXTURES / "recap-piege.md"), "--json")
        assert code == 0, stderr
        for value in json.loads(stdout):
            assert not active_content(json.dumps(value, ensure_ascii=False)), value


TOPICS = ["Kubernetes à Paris", "Ceph à Nantes", "Proxmox à Lille", "KubeVirt à Rennes",
          "Nova à Bordeaux", "Neutron à Grenoble", "Cinder à Nice", "Swift à Dijon"]  # fmt: skip


def distinct(n: int) -> str:
    topic = TOPICS[n]
    return f"Le groupe {topic} a réuni {40 + 13 * n} personnes pour parler de {topic.split()[0]}."


REFUSED_LINKS = [
    "javascript:alert(document.cookie)",
    " JaVaScRiPt:alert(2)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
]


def refused_rss() -> bytes:
    items = []
    for i, link in enumerate(REFUSED_LINKS):
        escaped = link.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        guid = "" if i % 2 else f'<guid isPermaLink="false">item-{i}</guid>'
        items.append(
            f"<item><title>Lien refusé : {TOPICS[i]}</title><link>{escaped}</link>{guid}"
            "<pubDate>Wed, 18 Nov 2026 10:00:00 GMT</pubDate>"
            f"<description>{distinct(i)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
        "<link>https://news.example.org/</link>" + "".join(items) + "</channel></rss>"
    ).encode()


def refused_json() -> bytes:
    items = [
        {"id": f"{link}-json", "url": link, "title": f"JSON refusé : {TOPICS[i + 4]}",
         "content_text": distinct(i + 4), "date_published": "2026-11-18T10:00:00Z"}
        for i, link in enumerate(REFUSED_LINKS)
    ]  # fmt: skip
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items}
    return json.dumps(doc).encode()


def test_an_item_whose_link_was_refused_gets_a_safe_source(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    rss_url = feed_server.add("/refused.xml", refused_rss(), content_type="application/xml")
    json_url = feed_server.add(
        "/refused.json", refused_json(), content_type="application/feed+json"
    )
    edition, stderr = digest_of(
        tmp_path,
        "[newsletter]\nmax_items = 200\n"
        f'[[sources]]\nname = "rss"\nurl = "{rss_url}"\n'
        f'[[sources]]\nname = "json"\nurl = "{json_url}"\n',
    )
    assert "Traceback" not in stderr
    digest = json.loads((edition / "digest.json").read_text("utf-8"))
    items = digest["items"]
    assert len(items) == 2 * len(REFUSED_LINKS), [i["title"] for i in items]
    sources = set()
    for entry in items:
        assert entry["url"] is None, entry
        feed = rss_url if entry["feed"] == "rss" else json_url
        assert entry["source"].startswith(feed + "#"), entry["source"]
        assert not re.search(r"(?i)(javascript|vbscript|data):", entry["source"]), entry["source"]
        sources.add(entry["source"])
    assert len(sources) == len(items)  # each keeps an identity of its own
    assert f"{rss_url}#item-0" in sources
    assert_inert(edition)


# -- a recap page full of links -----------------------------------------------------------------

LINKED = (
    "Le meetup OpenStack de Lyon a réuni {n} participants autour de la migration vers KubeVirt."
)


def linked_pages() -> dict[str, str]:
    head = '<!doctype html><html><head><base href="https://evil.example/"><title>{t}</title></head>'
    every_word = "".join(
        "<p>"
        + " ".join(f'<a href="jav&#x61;script:void({i})">{w}</a>' for i, w in
                   enumerate(LINKED.format(n=100 + k).split()))
        + "</p>"
        for k in range(5)
    )  # fmt: skip
    whole = "".join(
        f'<p><a href=" javascript:alert({k})">{LINKED.format(n=200 + k)}</a></p>' for k in range(5)
    )
    return {
        "every-word.html": head.format(t="Compte rendu mot à mot") + f"<body>{every_word}</body>",
        "whole.html": head.format(t="Compte rendu lié")
        + f"<body>{whole}<script>alert(1)</script></body></html>",
    }


@pytest.mark.parametrize("name", ["every-word.html", "whole.html"])
def test_a_recap_page_full_of_links_gives_its_text(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(linked_pages()[name], encoding="utf-8")
    code, stdout, stderr = invoke("highlights", str(path), "--json")
    assert code == 0, stderr
    (found,) = json.loads(stdout)
    assert found["url"] is None  # the <base href> is not the page's address
    assert "participants autour de la migration" in found["summary"], found
    out = tmp_path / "out"
    code, _, stderr = invoke("newsletter", str(path), "--out", str(out))
    assert code == 0, stderr
    (edition,) = edition_folders(out)
    assert_inert(edition)
    assert "javascript" not in (edition / "newsletter.html").read_text("utf-8").lower()


def test_a_page_whose_extractor_finds_nothing_falls_back_to_its_paragraphs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import trafilatura

    from recapmail.sources.html import html_to_article

    monkeypatch.setattr(trafilatura, "extract", lambda *a, **k: None)
    page = linked_pages()["whole.html"].replace("</body>", "<p>Menu</p><nav>x</nav></body>")
    article = html_to_article(page.encode(), "page.html")
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == 5 and paragraphs[0] == LINKED.format(n=200), paragraphs
    assert "alert" not in article.body and "Menu" not in article.body
