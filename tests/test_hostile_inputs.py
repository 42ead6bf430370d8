"""Parsers, encodings, size and time: the real CLI in a child process under a memory limit.

Giants are generated here, at test time. Every run must end (the subprocess timeout), stay
under MEMORY_LIMIT (RLIMIT_AS: a blow-up fails instead of swapping), and either work or say
one `Error:` line, never a traceback.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recapmail.cli import app
from recapmail.errors import SourceError
from tests.feedserver import FeedServer, feed_server
from tests.hostile import (
    AS_A_USER,
    assert_clean_failure,
    assert_inert,
    assert_no_traceback,
    edition_folders,
    run_cli,
)

pytestmark = pytest.mark.slow  # real processes, servers and files: see pyproject's markers

__all__ = ["feed_server"]
runner = CliRunner()

PROSE = (
    "Le Summit OpenInfra a réuni 1 200 participants à Lyon cette semaine. "
    "Les opérateurs ont comparé OpenStack et KubeVirt pour sortir de VMware."
)
ACCENTED = "Réunion à Lyon"


def rss(items: str, head: str = "", encoding: str = "utf-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>{head}<rss version="2.0"><channel>'
        f"<title>Flux</title><link>https://news.example.org/</link>{items}</channel></rss>"
    )


def item(title: str, body: str, n: int = 1) -> str:
    return (
        f"<item><title>{title}</title><link>https://news.example.org/{n}</link>"
        f"<guid>https://news.example.org/{n}</guid>"
        f"<pubDate>Wed, 18 Nov 2026 10:00:00 GMT</pubDate>"
        f"<description>{body}</description></item>"
    )


def highlights(path: Path) -> tuple[int, list[dict[str, object]], str]:
    result = runner.invoke(app, ["highlights", str(path), "--json"])
    assert "Traceback" not in result.stderr
    found = json.loads(result.stdout) if result.exit_code == 0 else []
    return result.exit_code, found, result.stderr


# -- parsers ---------------------------------------------------------------------------------


def billion_laughs() -> str:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    return rss(item("t &lol9;", "&lol9;"), f"<!DOCTYPE rss [{entities}]>")


def quadratic_blowup() -> str:
    entity = f'<!DOCTYPE rss [<!ENTITY a "{"x" * 50_000}">]>'
    return rss(item("t", "&a;" * 50_000), entity)


def xxe(target: str) -> str:
    head = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{target}">]>'
    return rss(item("titre &xxe;", f"{PROSE} &xxe; fin"), head)


def parameter_entities(target: str) -> str:
    head = f'<!DOCTYPE rss [<!ENTITY % remote SYSTEM "{target}"> %remote;]>'
    return rss(item("titre", PROSE), head)


def yaml_alias_bomb(levels: int) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        name, before = chr(97 + i), chr(96 + i)
        lines.append(f"{name}: &{name} [{','.join([f'*{before}'] * 9)}]")
    lines.append(f"tags: *{chr(96 + levels)}")
    return "---\n" + "\n".join(lines) + f"\ntitle: Bombe\n---\n{PROSE}\n"


PARSER_CASES: dict[str, Callable[[Path], tuple[str, str]]] = {
    "billion-laughs": lambda d: ("feed.xml", billion_laughs()),
    "quadratic-blowup": lambda d: ("feed.xml", quadratic_blowup()),
    "xxe-file": lambda d: ("feed.xml", xxe("file:///etc/passwd")),
    "xxe-local-secret": lambda d: ("feed.xml", xxe((d / "secret.txt").as_uri())),
    "parameter-entity": lambda d: ("feed.xml", parameter_entities((d / "evil.dtd").as_uri())),
    "yaml-alias-bomb-9": lambda d: ("bomb.md", yaml_alias_bomb(9)),
    "yaml-alias-bomb-4": lambda d: ("bomb.md", yaml_alias_bomb(4)),
    "yaml-deep": lambda d: ("deep.md", "---\ntitle: " + "[" * 50_000 + "]" * 50_000 + "\n---\nx\n"),
    "yaml-deep-maps": lambda d: (
        "deep.md",
        "---\n" + "".join(" " * i + "a:\n" for i in range(3000)) + "---\nTexte.\n",
    ),
    "markdown-quotes": lambda d: ("deep.md", "> " * 100_000 + "profond\n\n" + PROSE),
    "markdown-lists": lambda d: ("deep.md", "".join("  " * i + "- x\n" for i in range(5000))),
    "markdown-emphasis": lambda d: ("deep.md", "*_" * 100_000 + PROSE),
    "html-divs": lambda d: (
        "deep.html",
        "<!doctype html><html><body>" + "<div>" * 200_000 + PROSE + "</div>" * 200_000,
    ),
    "html-unclosed": lambda d: ("deep.html", "<!doctype html><html><body>" + "<b><i>" * 100_000),
    "feed-xml-nesting": lambda d: ("feed.xml", rss(item("t", "<x>" * 100_000 + "</x>" * 100_000))),
    "json-feed-nesting": lambda d: (
        "feed.json",
        '{"version": "https://jsonfeed.org/version/1.1", "items": '
        + "[" * 200_000
        + "]" * 200_000
        + "}",
    ),
    "json-feed-deep-item": lambda d: (
        "feed.json",
        '{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": '
        + '{"a":' * 100_000
        + "1"
        + "}" * 100_000
        + "}]}",
    ),
}


@pytest.mark.parametrize("name", PARSER_CASES)
def test_parser_attacks_are_refused_or_bounded(name: str, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("TOP-SECRET-VALUE\n", encoding="utf-8")
    (tmp_path / "evil.dtd").write_text(
        "<!ENTITY % all \"<!ENTITY leak 'TOP-SECRET-VALUE'>\"> %all;", encoding="utf-8"
    )
    filename, content = PARSER_CASES[name](tmp_path)
    (tmp_path / filename).write_text(content, encoding="utf-8")
    run = run_cli("highlights", filename, "--json", cwd=tmp_path, timeout=60)
    assert_no_traceback(run)
    assert "TOP-SECRET-VALUE" not in run.stdout and "root:x:" not in run.stdout
    assert "lollollol" not in run.stdout and "x" * 1000 not in run.stdout
    if run.code:
        assert_clean_failure(run, filename)
    else:
        assert json.loads(run.stdout)


def test_a_dtd_on_the_network_is_never_fetched(tmp_path: Path, feed_server: FeedServer) -> None:
    dtd = feed_server.add("/evil.dtd", b'<!ENTITY leak "FETCHED">', content_type="text/xml")
    body = rss(item("titre &leak;", PROSE)).replace("<rss", f'<!DOCTYPE rss SYSTEM "{dtd}"><rss', 1)
    with_entity = xxe(dtd)
    for n, content in enumerate((body, with_entity, parameter_entities(dtd))):
        path = tmp_path / f"feed-{n}.xml"
        path.write_text(content, encoding="utf-8")
        code, found, stderr = highlights(path)
        assert code in (0, 1), stderr
        assert "FETCHED" not in json.dumps(found)
    served = feed_server.add("/served.xml", with_entity.encode())
    code, found, stderr = highlights_url(served)
    assert "FETCHED" not in json.dumps(found)
    assert feed_server.hits_for("/evil.dtd") == []


@pytest.mark.parametrize("flood", ["[" * 20_000 + "](" * 10_000, "[x](" * 10_000])
def test_link_syntax_floods_are_read_in_linear_time(flood: str, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(flood + "\n" + PROSE, "utf-8")
    run = run_cli("highlights", "a.md", "--json", cwd=tmp_path, timeout=4)
    assert run.code == 0, run.stderr[-2000:]


def highlights_url(url: str) -> tuple[int, list[dict[str, object]], str]:
    result = runner.invoke(app, ["highlights", url, "--json"])
    assert "Traceback" not in result.stderr
    return (
        result.exit_code,
        json.loads(result.stdout) if result.exit_code == 0 else [],
        (result.stderr),
    )


# -- encodings -------------------------------------------------------------------------------


def article(encoding: str = "utf-8") -> bytes:
    return f"---\ntitle: {ACCENTED}\n---\n{PROSE}\n".encode(encoding)


def html_page(charset: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='{charset}'><title>{ACCENTED}</title></head>"
        f"<body><article><h1>{ACCENTED}</h1><p>{PROSE}</p><p>{PROSE} Deuxième paragraphe, "
        "assez long pour que la page ait un texte principal à garder.</p></article></body></html>"
    )


ENCODED: dict[str, tuple[str, bytes]] = {
    "utf8-bom": ("a.md", codecs.BOM_UTF8 + article()),
    "utf16-bom": ("a.md", article("utf-16")),
    "utf16le-no-bom": ("a.md", article("utf-16-le")),
    "utf16be-no-bom": ("a.txt", article("utf-16-be")),
    "latin1": ("a.md", article("latin-1")),
    "cp1252-quotes": ("a.md", article("cp1252").replace(b"Lyon.", b"\x93Lyon\x94.")),
    "utf8-with-broken-bytes": ("a.md", article() + b"\xff\xfe\xc3( fin.\n"),
    "a-nul-byte": ("a.md", article().replace(b"Lyon cette", b"Lyon\x00 cette")),
    "html-meta-utf8-but-latin1": ("a.html", html_page("utf-8").encode("latin-1")),
    "html-meta-latin1-but-utf8": ("a.html", html_page("iso-8859-1").encode("utf-8")),
    "html-utf16-bom": ("a.html", html_page("utf-16").encode("utf-16")),
    "html-unknown-charset": ("a.html", html_page("x-no-such-charset").encode("latin-1")),
    "feed-latin1-declared": (
        "f.xml",
        rss(item(ACCENTED, PROSE), encoding="iso-8859-1").encode("latin-1"),
    ),
    "feed-utf16-bom": ("f.xml", rss(item(ACCENTED, PROSE), encoding="utf-16").encode("utf-16")),
    "feed-utf16-no-bom": (
        "f.xml",
        rss(item(ACCENTED, PROSE), encoding="utf-16").encode("utf-16-le"),
    ),
}
ENCODED_XFAIL: dict[str, tuple[str, bytes]] = {
    "feed-json-utf8-bom": (
        "f.json",
        codecs.BOM_UTF8
        + json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "items": [{"id": "1", "title": ACCENTED, "content_text": PROSE}],
            }
        ).encode(),
    ),
}


@pytest.mark.parametrize("name", ENCODED)
def test_encodings_are_read_sensibly(name: str, tmp_path: Path) -> None:
    filename, data = ENCODED[name]
    path = tmp_path / filename
    path.write_bytes(data)
    code, found, stderr = highlights(path)
    assert code == 0, stderr
    (first,) = found
    assert first["title"] == ACCENTED, first["title"]
    assert "\ufffd" not in json.dumps(first, ensure_ascii=False)


def test_a_json_feed_with_a_bom_is_read(tmp_path: Path) -> None:
    filename, data = ENCODED_XFAIL["feed-json-utf8-bom"]
    path = tmp_path / filename
    path.write_bytes(data)
    code, found, stderr = highlights(path)
    assert code == 0, stderr
    assert found[0]["title"] == ACCENTED


def test_a_feed_whose_declaration_lies_is_read_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "f.xml"
    path.write_bytes(rss(item(ACCENTED, PROSE), encoding="iso-8859-1").encode("utf-8"))
    code, found, stderr = highlights(path)
    assert code == 0, stderr
    assert found[0]["title"] == ACCENTED


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("a.md", b"", "the file is empty"),
        ("a.md", b"  \n\t\n  ", "the file is empty"),
        ("a.md", b"\x00\x01\x02\x03" * 2000, "looks like a binary file"),
        ("a.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "looks like a binary file"),
        ("a.md", "\u200b\u200e\u202e\ufeff".encode() * 10, "holds no text"),
        ("a.xml", b"", "empty"),
        ("a.xml", b"<html><body>pas un flux</body></html>", "not an RSS, Atom or JSON feed"),
        ("a.json", b'{"items": []}', "JSON without a jsonfeed version"),
        ("a.json", b"[1, 2, 3]", "not"),
    ],
)
def test_unreadable_inputs_get_one_clear_line(
    filename: str, data: bytes, message: str, tmp_path: Path
) -> None:
    path = tmp_path / filename
    path.write_bytes(data)
    for command in (["highlights"], ["newsletter", "--out", str(tmp_path / "o")], ["social"]):
        result = runner.invoke(app, [command[0], str(path), *command[1:]])
        assert result.exit_code == 1, (command, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {path}"), lines
        assert message in lines[0], lines[0]


def test_invisible_and_reordering_characters_leave_titles(tmp_path: Path) -> None:
    title = "Titre \u202eesrever\u202c avec\u200b zéro\u200d largeur \u2066iso\u2069 \u00adfin"
    zalgo = "Z" + "\u0301\u0302\u0303\u0304\u0305" * 2000
    path = tmp_path / "a.md"
    path.write_text(f"---\ntitle: '{title}'\n---\n{zalgo} {PROSE}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["newsletter", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    (edition,) = edition_folders(out)
    assert_inert(edition)
    for file in edition.rglob("*"):
        if file.is_file() and file.suffix != ".eml":
            text = file.read_text("utf-8")
            assert not set(text) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
            assert "\u200b" not in text and "\u0301" * 6 not in text
    digest = json.loads((edition / "digest.json").read_text("utf-8"))
    assert digest["items"][0]["title"] == "Titre esrever avec zéro largeur iso fin"


# -- size and time ------------------------------------------------------------------------------


def giant(name: str, folder: Path) -> Path:
    """Write one giant input; each is generated here, never committed."""
    path = folder / name
    sentence = "Le Summit OpenStack a réuni 1 200 participants à Lyon cette semaine. "
    with path.open("w", encoding="utf-8") as handle:
        if name == "one-line.md":  # 8 MB on a single line
            handle.write(sentence * (8_000_000 // len(sentence)))
        elif name == "lines.txt":  # 200,000 lines
            handle.writelines(
                f"{i} OpenStack à Lyon, {i % 97} participants.\n" for i in range(200_000)
            )
        elif name == "items.xml":  # a 60,000-item feed
            handle.write('<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>')
            handle.writelines(item(f"Article {i} OpenStack", sentence, i) for i in range(60_000))
            handle.write("</channel></rss>")
        elif name == "page.html":  # 8 MB of paragraphs
            handle.write("<!doctype html><html><body><article>")
            handle.writelines(f"<p>{sentence} {i}</p>" for i in range(100_000))
            handle.write("</article></body></html>")
        elif name == "no-spaces.md":
            handle.write("x" * 8_000_000)
    return path


@pytest.mark.parametrize(
    ("name", "warning"),
    [
        ("one-line.md", "only the first"),
        ("lines.txt", "only the first"),
        ("page.html", "only the first 3 MB"),
        ("no-spaces.md", "only the first"),
    ],
)
def test_giants_finish_in_bounded_time_and_memory(name: str, warning: str, tmp_path: Path) -> None:
    path = giant(name, tmp_path)
    # Every command reads through the same code; social once shows it holds for them all.
    for command in ("highlights", "social") if name == "one-line.md" else ("highlights",):
        run = run_cli(command, path.name, "--json", cwd=tmp_path, timeout=60)
        assert run.code == 0, run.stderr[-2000:]
        assert "Traceback" not in run.stderr
        assert json.loads(run.stdout)
        assert warning in run.stderr, run.stderr[-500:]


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    with path.open("wb") as handle:
        handle.truncate(17_000_000)  # sparse: costs no disk
    run = run_cli("highlights", path.name, cwd=tmp_path, timeout=30, memory=400_000_000)
    assert_clean_failure(run, "larger than 16 MB")


FAULTS = {
    "/trickle": "no complete answer within",
    "/slow/5": "timed out",
    "/bomb": "once decompressed",
    "/huge": "announces 50 MB",
    "/huge/unannounced": "larger than the",
    "/lie": "the connection broke",
    "/to-file": "redirected to a non-HTTP address",
    "/loop/a": "redirect loop",
    "/chain/9": "more than 5 redirects",
    "/status/500": "HTTP 500",
    "/garbage": "not an RSS",
    "/empty": "empty",
}


def fault_config(tmp_path: Path, server: FeedServer, extra: str = "") -> Path:
    server.add("/empty", b"", content_type="application/rss+xml")
    good = rss("".join(item(f"Bon article {i} OpenStack", PROSE, i) for i in range(3)))
    server.add("/good.xml", good.encode(), gzip=True)
    sources = "".join(
        f'[[sources]]\nname = "fault {path}"\nurl = "{server.url(path)}"\n' for path in FAULTS
    )
    config = tmp_path / "feeds.toml"
    config.write_text(
        "[fetch]\ntimeout = 1.5\ndeadline = 3\nmax_bytes = 2000000\nmax_redirects = 5\n"
        f'{extra}[[sources]]\nname = "good"\nurl = "{server.url("/good.xml")}"\n{sources}',
        encoding="utf-8",
    )
    return config


def test_digest_survives_every_fault_of_the_server(tmp_path: Path, feed_server: FeedServer) -> None:
    config = fault_config(tmp_path, feed_server)
    args = ("digest", "--config", config.name, "--week", "2026-W47", "--out", "out")
    run = run_cli(*args, cwd=tmp_path, timeout=40)
    assert run.code == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("Warning:")]
    for path, reason in FAULTS.items():
        mine = [w for w in warnings if f"fault {path}:" in w]
        assert mine and reason in mine[0], (path, mine)
    (edition,) = edition_folders(tmp_path / "out")
    assert_inert(edition)
    digest = json.loads((edition / "digest.json").read_text("utf-8"))
    assert len(digest["warnings"]) == len(FAULTS)
    assert {i["feed"] for i in digest["items"]} == {"good"}
    strict = run_cli(*args, "--strict", cwd=tmp_path, timeout=40)
    assert strict.code == 4 and "Traceback" not in strict.stderr
    assert strict.stderr.count("Error:") == 1


def test_the_deadline_bounds_a_whole_run_not_only_each_read(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Twelve feeds trickling a byte every 0.2 s: no read ever times out, the deadline ends
    each one, and they are fetched together, so the run takes about one deadline."""
    sources = "".join(
        f'[[sources]]\nname = "t{i}"\nurl = "{feed_server.url(f"/trickle/{i}")}"\n'
        for i in range(12)
    )
    config = tmp_path / "feeds.toml"
    config.write_text(f"[fetch]\ntimeout = 5\ndeadline = 2\n{sources}", encoding="utf-8")
    run = run_cli("digest", "--config", config.name, "--week", "2026-W47", cwd=tmp_path, timeout=20)
    assert run.code == 0, run.stderr[-2000:]
    warned = {line for line in run.stderr.splitlines() if "no complete answer within 2 s" in line}
    assert len(warned) == 12, run.stderr
    assert run.seconds < 15


def test_a_served_gzip_of_a_giant_feed_is_capped(tmp_path: Path, feed_server: FeedServer) -> None:
    path = giant("items.xml", tmp_path)
    url = feed_server.add("/items.xml", path.read_bytes(), gzip=True)
    config = tmp_path / "feeds.toml"
    config.write_text(
        f'[fetch]\ndeadline = 20\nmax_bytes = 20000000\n[[sources]]\nname = "big"\nurl = "{url}"\n',
        encoding="utf-8",
    )
    run = run_cli("digest", "--config", config.name, "--week", "2026-W47", cwd=tmp_path, timeout=60)
    assert run.code == 0, run.stderr[-2000:]
    assert "holds 60000 items; only the 1000 newest were read" in run.stderr
    assert feed_server.hits_for("/items.xml")[0].sent < path.stat().st_size / 5


# -- the file system as a user's machine has it ------------------------------------------------

RECAP = (
    "---\ntitle: Compte rendu {n} du meetup OpenStack\ndate: 2026-11-18\n---\n"
    "Le meetup {n} a réuni 120 participants à Lyon autour d'OpenStack. "
    "Les opérateurs ont comparé KubeVirt et Proxmox.\n"
)


def recap_workspace(tmp_path: Path, count: int = 2) -> dict[str, str]:
    folder = tmp_path / "recaps"
    folder.mkdir()
    for n in range(count):
        (folder / f"recap-{n}.md").write_text(RECAP.format(n=n), encoding="utf-8")
    (tmp_path / "feeds.toml").write_text(
        '[newsletter]\nmax_items = 200\n[[sources]]\nname = "recaps"\npath = "recaps"\n',
        encoding="utf-8",
    )
    return {"RECAPMAIL_STATE": str(tmp_path / "state.sqlite3")}


DIGEST = ("digest", "--config", "feeds.toml", "--week", "2026-W47", "--out", "out")


def test_a_recap_whose_name_is_not_utf8_is_read_with_its_name_escaped(tmp_path: Path) -> None:
    env = recap_workspace(tmp_path)
    name = os.fsencode(tmp_path / "recaps") + b"/caf\xe9-\xff.md"
    fd = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, RECAP.format(n=9).encode())
    os.close(fd)
    for _ in range(2):  # the second run reads what the first stored in the state
        run = run_cli(*DIGEST, cwd=tmp_path, env=env)
        assert run.code == 0, run.stderr[-2000:]
        assert_no_traceback(run)
    (edition,) = edition_folders(tmp_path / "out")
    digest = json.loads((edition / "digest.json").read_text("utf-8"))
    sources = sorted(i["source"] for i in digest["items"])
    assert sources == ["recaps/caf\\xe9-\\xff.md", "recaps/recap-0.md", "recaps/recap-1.md"]
    published = run_cli("publish", str(edition), cwd=tmp_path, env=env)
    assert published.code == 0, published.stderr[-2000:]
    run = run_cli("highlights", os.fsdecode(name), "--json", cwd=tmp_path)
    assert run.code == 0, run.stderr[-2000:]
    assert json.loads(run.stdout)[0]["source"].endswith("caf\\xe9-\\xff.md")


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "loop", "dangling"])
def test_highlights_reads_only_regular_files(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "recap.md"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "loop":
        path.symlink_to(tmp_path / "other.md")
        (tmp_path / "other.md").symlink_to(path)
    else:
        path.symlink_to(tmp_path / "gone.md")
    said = {
        "fifo": "is a FIFO",
        "dev-zero": "is a device",
        "loop": "loop of symbolic links",
        "dangling": "a link to nothing",
    }[kind]
    for command in ("highlights", "social"):
        run = run_cli(command, "recap.md", cwd=tmp_path, timeout=20, memory=400_000_000)
        assert_clean_failure(run, "recap.md", said)


def test_a_folder_skips_what_is_not_a_regular_file_and_says_so(tmp_path: Path) -> None:
    env = recap_workspace(tmp_path)
    folder = tmp_path / "recaps"
    os.mkfifo(folder / "pipe.md")
    (folder / "zero.md").symlink_to("/dev/zero")
    (folder / "loop.md").symlink_to(folder / "loop.md")
    run = run_cli("highlights", "recaps", "--json", cwd=tmp_path, timeout=20)
    assert run.code == 0, run.stderr[-2000:]
    assert len(json.loads(run.stdout)) == 2
    for said in ("pipe.md: skipped (is a FIFO", "zero.md: skipped (is a device", "loop.md"):
        assert said in run.stderr, run.stderr
    run = run_cli(*DIGEST, cwd=tmp_path, env=env, timeout=30)
    assert run.code == 0 and "3 warnings" in run.stdout, (run.stdout, run.stderr[-2000:])
    strict = run_cli(*DIGEST, "--strict", cwd=tmp_path, env=env, timeout=30)
    assert strict.code == 4 and "Traceback" not in strict.stderr, strict.stderr[-2000:]


def test_a_folder_over_the_file_cap_warns_and_fails_strict(tmp_path: Path) -> None:
    from recapmail.sources.files import MAX_FOLDER_FILES

    env = recap_workspace(tmp_path, 0)
    for n in range(MAX_FOLDER_FILES + 1):
        (tmp_path / "recaps" / f"r{n}.md").write_text(RECAP.format(n=n), encoding="utf-8")
    (tmp_path / "feeds.toml").write_text(
        '[[sources]]\nname = "recaps"\npath = "recaps"\n'
        '[[sources]]\nname = "one"\npath = "one.md"\n',
        encoding="utf-8",
    )
    (tmp_path / "one.md").write_text(RECAP.format(n="un"), encoding="utf-8")
    run = run_cli(*DIGEST, cwd=tmp_path, env=env, timeout=60)
    assert run.code == 0, run.stderr[-2000:]
    assert f"more than {MAX_FOLDER_FILES} files" in run.stderr, run.stderr[-2000:]
    assert "1 warning" in run.stdout
    strict = run_cli(*DIGEST, "--strict", cwd=tmp_path, env=env, timeout=60)
    assert strict.code == 4, strict.stderr[-2000:]
    assert f"more than {MAX_FOLDER_FILES} files" in strict.stderr


def test_a_sub_folder_that_vanishes_during_the_scan_is_passed_over(tmp_path: Path) -> None:
    import shutil
    import threading

    from recapmail.sources.files import iter_folder, read_file

    folder = tmp_path / "recaps"
    folder.mkdir()
    for n in range(30):
        sub = folder / f"week-{n}"
        sub.mkdir()
        (sub / "a.md").write_text(RECAP.format(n=n), encoding="utf-8")
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            for n in range(30, 40):
                sub = folder / f"week-{n}" / "deep"
                sub.mkdir(parents=True, exist_ok=True)
                (sub / "b.md").write_text(RECAP.format(n=n), encoding="utf-8")
            for n in range(30, 40):
                shutil.rmtree(folder / f"week-{n}", ignore_errors=True)

    worker = threading.Thread(target=churn)
    worker.start()
    warnings: list[str] = []
    try:
        for _ in range(300):
            for path in iter_folder(folder, warn=warnings.append):
                try:
                    read_file(path)
                except SourceError as exc:  # gone (or half-written) since the scan: one line
                    assert "no such file" in str(exc) or "is empty" in str(exc)
    finally:
        stop.set()
        worker.join()
    assert not warnings, warnings[:3]


def test_an_unreadable_sub_folder_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = recap_workspace(tmp_path)
    locked = tmp_path / "recaps" / "locked"
    locked.mkdir()
    (locked / "secret.md").write_text(RECAP.format(n=7), encoding="utf-8")
    if AS_A_USER is not None:  # root reads every folder: it runs as root without that power
        locked.chmod(0)
        try:
            run = run_cli(*DIGEST, cwd=tmp_path, env=env, timeout=30, prefix=AS_A_USER)
            strict = run_cli(*DIGEST, "--strict", cwd=tmp_path, env=env, timeout=30,
                             prefix=AS_A_USER)  # fmt: skip
        finally:
            locked.chmod(0o755)
        assert run.code == 0 and "locked: folder skipped (permission denied)" in run.stderr
        assert strict.code == 4, strict.stderr[-2000:]
        assert "locked: folder skipped (permission denied)" in strict.stderr
    from recapmail.sources import files

    real = os.scandir

    def scandir(path: object) -> object:
        if os.fspath(path).endswith("locked"):  # type: ignore[call-overload]
            raise PermissionError(13, "Permission denied", os.fspath(path))  # type: ignore[call-overload]
        return real(path)  # type: ignore[call-overload]

    monkeypatch.setattr(files.os, "scandir", scandir, raising=False)
    monkeypatch.setattr(os, "scandir", scandir)
    warnings: list[str] = []
    found = list(files.iter_folder(tmp_path / "recaps", warn=warnings.append))
    assert len(found) == 2
    assert warnings == [f"{locked}: folder skipped (permission denied)"]


# -- feeds of the wrong shape ---------------------------------------------------------------------


def test_a_json_feed_with_items_that_are_not_objects_keeps_its_good_items(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON",
        "items": [
            "a string", None, 3,
            {"id": "https://ex.org/1", "url": "https://ex.org/1", "title": "Bon article",
             "content_text": PROSE, "date_published": "2026-11-18T10:00:00Z"},
            {"id": "https://ex.org/2", "url": "https://ex.org/2", "title": "Autre article",
             "content_text": PROSE + " Deux.", "date_published": "2026-11-18T11:00:00Z",
             "tags": "pas une liste", "authors": 5},
        ],
    }  # fmt: skip
    data = json.dumps(doc).encode()
    feed_server.add("/feed.json", data, content_type="application/feed+json")
    feed_server.add("/good.xml", rss(item("Un article RSS OpenStack", PROSE, 9)).encode())
    (tmp_path / "local.json").write_bytes(data)
    for where in ("url", "path"):
        source = (
            f'url = "{feed_server.url("/feed.json")}"' if where == "url" else 'path = "local.json"'
        )
        (tmp_path / "feeds.toml").write_text(
            f'[[sources]]\nname = "json"\n{source}\n'
            f'[[sources]]\nname = "rss"\nurl = "{feed_server.url("/good.xml")}"\n',
            encoding="utf-8",
        )
        env = {"RECAPMAIL_STATE": str(tmp_path / f"{where}.sqlite3")}
        out = f"out-{where}"
        run = run_cli(*DIGEST[:-1], out, cwd=tmp_path, env=env, timeout=60)
        assert run.code == 0, run.stderr[-2000:]
        assert_no_traceback(run)
        warnings = [line for line in run.stderr.splitlines() if "skipped" in line]
        assert len(warnings) == 1 and "3 items skipped and 2 fields" in warnings[0], run.stderr
        (edition,) = edition_folders(tmp_path / out)
        digest = json.loads((edition / "digest.json").read_text("utf-8"))
        titles = sorted(i["title"] for i in digest["items"])
        assert titles == ["Autre article", "Bon article", "Un article RSS OpenStack"], titles
        if where == "url":  # a later run reads the parse kept in the state: said again, once
            again = run_cli(*DIGEST[:-1], out, "--offline", cwd=tmp_path, env=env, timeout=60)
            assert again.code == 0, again.stderr[-2000:]
            said = [line for line in again.stderr.splitlines() if "skipped" in line]
            assert len(said) == 1 and "3 items skipped and 2 fields" in said[0], again.stderr
    run = run_cli("highlights", "local.json", "--json", cwd=tmp_path)
    assert run.code == 0 and len(json.loads(run.stdout)) == 2, run.stderr[-2000:]
    assert "3 items skipped" in run.stderr


def test_a_workspace_whose_folder_name_is_not_utf8_makes_its_edition(tmp_path: Path) -> None:
    where = Path(os.fsdecode(os.fsencode(tmp_path) + b"/veille-caf\xe9"))
    where.mkdir()
    env = recap_workspace(where)
    first = run_cli(*DIGEST, cwd=where, env=env)
    assert first.code == 0, first.stderr[-2000:]
    again = run_cli(*DIGEST, cwd=where, env=env)  # the state names the folder: up to date
    assert again.code == 0 and "up to date" in again.stdout, again.stderr[-2000:]
    (edition,) = edition_folders(where / "out")
    assert len(json.loads((edition / "digest.json").read_text("utf-8"))["items"]) == 2


def test_control_characters_in_file_names_are_shown_escaped(tmp_path: Path) -> None:
    env = recap_workspace(tmp_path)
    folder = tmp_path / "recaps"
    (folder / "esc-\x1b]0;pwned\x07-\n.md").write_text(RECAP.format(n=5), encoding="utf-8")
    os.mkfifo(folder / "pipe-\x1b[2J.md")
    run = run_cli(*DIGEST, cwd=tmp_path, env=env)
    assert run.code == 0, run.stderr[-2000:]
    assert "\x1b" not in run.stderr + run.stdout and "pipe-\\x1b[2J.md" in run.stderr
    (edition,) = edition_folders(tmp_path / "out")
    digest = json.loads((edition / "digest.json").read_text("utf-8"))
    assert "recaps/esc-\\x1b]0;pwned\\x07-\\x0a.md" in [i["source"] for i in digest["items"]]


def test_a_slow_caller_is_not_the_servers_silence(feed_server: FeedServer) -> None:
    """The digest stores each answer as it comes (a state write may wait for another run):
    meanwhile the other feeds' answers wait in the socket, and are not timed out for it."""
    import time

    from recapmail.config import FetchConfig
    from recapmail.sources.fetch import FetchRequest, FetchResult, fetch_all

    feed_server.add("/now.xml", rss(item("Tout de suite", PROSE)).encode())
    urls = [feed_server.url("/now.xml")] + [feed_server.url(f"/slow/0.{n}") for n in (5, 6, 7)]
    blocked: list[str] = []

    def on_result(result: FetchResult) -> None:
        if not blocked:
            blocked.append(result.request.url)
            time.sleep(3.5)  # longer than the read timeout

    cfg = FetchConfig(timeout=2, deadline=20)
    results = fetch_all([FetchRequest(u, u) for u in urls], cfg, on_result=on_result)
    assert blocked == [urls[0]]
    assert [r.status for r in results] == ["ok"] * 4, [r.error for r in results]


def test_a_feed_cut_to_its_newest_items_says_so_on_every_run(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    from tests.feedserver import make_items, rss_feed

    feed_server.add("/many.xml", rss_feed(make_items(1200)))
    (tmp_path / "feeds.toml").write_text(
        f'[[sources]]\nname = "many"\nurl = "{feed_server.url("/many.xml")}"\n',
        encoding="utf-8",
    )
    env = {"RECAPMAIL_STATE": str(tmp_path / "state.sqlite3")}
    for run_number in range(3):  # fetched, then answered 304, then not asked (recent)
        run = run_cli(*DIGEST, "--force", cwd=tmp_path, env=env, timeout=60)
        assert run.code == 0, run.stderr[-2000:]
        said = [line for line in run.stderr.splitlines() if "newest were read" in line]
        assert said == ["Warning: many: holds 1200 items; only the 1000 newest were read"], (
            run_number,
            run.stderr[-2000:],
        )
