"""The hostile-input toolkit: one active-content checker, and the CLI run the way a user runs it.

`active_content(html)` parses markup with html.parser, as a browser would tokenise it, and
names every piece that could run or phone home: script-like elements, on* handlers, a meta
refresh, hostile CSS, and href/src/action values whose scheme is not http, https, mailto or cid
once entities are decoded and whitespace removed. Text files are checked the same way: a text
part or a post may end up pasted into HTML, so markup that would be active there fails too.
"""

from __future__ import annotations

import email
import email.policy
import html
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ACTIVE_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "base",
    "portal", "svg", "math", "link", "input", "button", "textarea", "select",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "poster", "xlink:href",
                  "data", "srcset", "lowsrc", "dynsrc", "codebase", "cite", "longdesc"}  # fmt: skip
SAFE_SCHEMES = ("http", "https", "mailto", "cid")
_CSS_ATTACK = re.compile(
    r"expression\s*\(|behaviou?r\s*:|-moz-binding|javascript:|vbscript:|@import|url\s*\(\s*['\"]?\s*(?!https?:|cid:|data:image/)[a-z0-9+.-]+:",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# An include reads a local file; <mj-raw> is legitimate in the shipped template, and what an
# injected one would carry (a script) is found by the scanner anyway.
_MJML_ACTIVE = re.compile(r"<mj-include\b", re.IGNORECASE)


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style and _CSS_ATTACK.search(_fold(data)):
            self.found.append(f"hostile CSS in <style>: {data.strip()[:80]!r}")

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "style":
            self._in_style = True
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            elif name == "style" and _CSS_ATTACK.search(_fold(value)):
                self.found.append(f"<{tag} style={value[:80]!r}>")
            elif name in URL_ATTRIBUTES and not _safe_url(value):
                self.found.append(f"<{tag} {name}={value[:80]!r}>")


def _fold(text: str) -> str:
    """What a browser sees: entities decoded (twice, for double encodings), CSS escapes too."""
    for _ in range(2):
        text = html.unescape(text)
    text = re.sub(r"\\([0-9a-fA-F]{1,6})\s?", lambda m: chr(int(m.group(1), 16)), text)
    return re.sub(r"/\*.*?\*/", "", _INVISIBLE.sub("", text), flags=re.DOTALL)


def _safe_url(value: str) -> bool:
    for url in value.split(","):  # srcset lists several
        folded = _fold(url).strip()
        match = _SCHEME.match(folded)
        if match and match.group(1).lower() not in SAFE_SCHEMES:
            return False
    return True


def active_content(markup: str) -> list[str]:
    """Every active or dangerous construct in `markup`; [] when it is inert."""
    scanner = _Scanner()
    scanner.feed(markup)
    scanner.close()
    found = scanner.found
    if _MJML_ACTIVE.search(markup):
        found.append("<mj-include>")
    return found


def text_active_content(text: str) -> list[str]:
    """A text part, post or JSON string read as if it were pasted into HTML."""
    found = active_content(text)
    # In text, a bare "javascript:" is only dangerous as a link target, which text has not;
    # a tag is what would run, and that the scanner above already reports.
    return found


def scan_output(folder: Path) -> dict[str, list[str]]:
    """Active content in every file of an output folder (html, mjml, txt, eml, json, social).
    The hidden .edition.json is left out: it keeps the articles as read, for publishing, like
    the state does; nothing renders it and the preview serves no hidden file."""
    problems: dict[str, list[str]] = {}
    files = (p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    for path in sorted(files):
        name = str(path.relative_to(folder))
        found = scan_file(path)
        if found:
            problems[name] = found
    return problems


def scan_file(path: Path) -> list[str]:
    data = path.read_bytes()
    if path.suffix == ".eml":
        return _scan_eml(data)
    text = data.decode("utf-8")
    if path.suffix in (".html", ".mjml"):
        return active_content(text)
    if path.suffix == ".json":
        return [f for s in _strings(json.loads(text)) for f in text_active_content(s)]
    return text_active_content(text)


def _scan_eml(data: bytes) -> list[str]:
    message = email.message_from_bytes(data, policy=email.policy.default)
    found: list[str] = []
    for header in ("Subject", "From", "To", "List-Unsubscribe"):
        value = str(message.get(header, ""))
        if "\n" in value.strip() or "\r" in value:
            found.append(f"header {header} carries a line break")
    for part in message.walk():
        if part.is_multipart():
            continue
        body = part.get_content()
        if part.get_content_type() == "text/html":
            found += active_content(body)
        else:
            found += text_active_content(body)
    return found


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


# -- running the real CLI -----------------------------------------------------------------

MEMORY_LIMIT = 1_500_000_000  # bytes of address space: a blow-up fails instead of swapping
_PRELUDE = (
    "import resource, sys, runpy\n"
    "limit = int(sys.argv[1])\n"
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "sys.argv = ['recapmail', *sys.argv[2:]]\n"
    "from recapmail.cli import main\n"
    "main()\n"
)


def _as_a_user() -> tuple[str, ...] | None:
    """A command prefix that runs a child with a user's file permissions: nothing for a user;
    for root, root without the capabilities that read and write through permissions (None
    when setpriv is missing: such a test is then skipped)."""
    import shutil

    if os.geteuid() != 0:
        return ()
    found = shutil.which("setpriv")
    return (found, "--bounding-set", "-dac_override,-dac_read_search") if found else None


AS_A_USER = _as_a_user()


@dataclass(frozen=True, slots=True)
class Run:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_kb: int  # maximum resident set size of the child

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("Error:")]


# The slowest run of the session, for the report: (seconds, peak KB, args).
SLOWEST: list[tuple[float, int, tuple[str, ...]]] = []


def run_cli(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    memory: int = MEMORY_LIMIT,
    prefix: Sequence[str] = (),
) -> Run:
    """`recapmail ARGS` in a child process under an address-space limit and a timeout; the
    child's own peak memory comes from wait4, not from a running maximum over all children."""
    import tempfile

    environment = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [*prefix, sys.executable, "-c", _PRELUDE, str(memory), *args],
            cwd=cwd, env=environment, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
        )  # fmt: skip
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                child.kill()
                os.wait4(child.pid, 0)
                child.returncode = -9
                raise subprocess.TimeoutExpired(child.args, timeout)
            time.sleep(0.01)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    seconds = time.monotonic() - started
    run = Run(tuple(args), child.returncode, stdout, stderr, seconds, usage.ru_maxrss)
    SLOWEST.append((seconds, usage.ru_maxrss, tuple(args)))
    SLOWEST.sort(reverse=True)
    del SLOWEST[5:]
    return run


def assert_clean_failure(run: Run, *fragments: str) -> None:
    """Exit 1, one `Error:` line naming the problem, and no traceback."""
    assert run.code == 1, (run.code, run.stderr[-2000:])
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    assert len(run.error_lines) == 1, run.stderr[-2000:]
    assert "unexpected" not in run.error_lines[0], run.error_lines[0]
    for fragment in fragments:
        assert fragment in run.error_lines[0], run.error_lines[0]


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert "unexpected" not in run.stderr, run.stderr[-3000:]
    assert run.code in (0, 1, 4), (run.code, run.stderr[-2000:])


def assert_inert(folder: Path) -> None:
    problems = scan_output(folder)
    assert not problems, problems


def edition_folders(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
