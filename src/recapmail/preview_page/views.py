"""The preview's HTML: the index of digests and one digest's page, from Jinja2 templates here.

The page's CSS and JS are inlined, so a page is one response and the server serves nothing
else but the output folder's own files.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from recapmail.preview_page.editions import Edition, PostView

if TYPE_CHECKING:
    import jinja2

HERE = Path(__file__).resolve().parent
# LinkedIn's feed folds a post behind "…see more" after three lines or about 210 characters,
# whichever comes first (desktop feed; the hook is written to fit the first 200).
LINKEDIN_FOLD_CHARS = 210
LINKEDIN_FOLD_LINES = 3
_LINK_OR_TAG = re.compile(
    r"(https?://[^\s<>\"]+[^\s<>\".,;:!?)»])|((?<![\w&])#\w+)|(@\w+(?:@[\w.-]+)?)"
)
_DARK_QUERY = re.compile(r"\(\s*prefers-color-scheme\s*:\s*(dark|light)\s*\)", re.IGNORECASE)
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_PLATFORM_NAMES = {"linkedin": "LinkedIn", "mastodon": "Mastodon", "bluesky": "Bluesky"}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["post_html"] = post_html
    env.filters["period"] = _period
    env.globals["asset"] = _asset
    env.globals["platform_name"] = _PLATFORM_NAMES.get
    return env


def _asset(name: str) -> Markup:
    """The page's own CSS or JS, inlined (trusted files shipped beside this module)."""
    return Markup((HERE / name).read_text("utf-8"))


def index_page(
    editions: list[Edition],
    out_dir: Path,
    version: int,
    error: str | None,
    published: dict[str, datetime] | None = None,
    web_url: str = "",
) -> str:
    """The list of editions; `published` (label -> when) marks those that went out, with
    their address on the archive site when `web_url` is set."""
    from recapmail.render.links import web_version

    return (
        _environment()
        .get_template("index.html.j2")
        .render(
            editions=editions,
            out_dir=out_dir,
            version=version,
            error=error,
            digest="",
            published=published or {},
            web={e.name: web_version(web_url, e.name) for e in editions},
        )
    )


def digest_page(
    edition: Edition, posts: list[PostView], text: str, version: int, error: str | None
) -> str:
    posts_json = json.dumps([p.text for p in posts], ensure_ascii=False)
    return (
        _environment()
        .get_template("digest.html.j2")
        .render(
            e=edition,
            posts=posts,
            folds=[linkedin_fold(p.text) if p.platform == "linkedin" else None for p in posts],
            posts_json=Markup(posts_json.replace("<", "\\u003c")),  # inert inside <script>
            text=text,
            version=version,
            error=error,
            digest=edition.name,
        )
    )


def linkedin_fold(text: str) -> int | None:
    """Where LinkedIn's feed cuts the post for "…see more"; None when the whole post shows."""
    cut = len(text)
    for lines, match in enumerate(re.finditer("\n", text), 1):
        if lines == LINKEDIN_FOLD_LINES:
            cut = match.start()
            break
    if cut > LINKEDIN_FOLD_CHARS:
        space = text.rfind(" ", 0, LINKEDIN_FOLD_CHARS + 1)
        cut = space if space > LINKEDIN_FOLD_CHARS // 2 else LINKEDIN_FOLD_CHARS
    return None if cut >= len(text.rstrip()) else cut


def post_html(text: str) -> Markup:
    """A post's text escaped, its links, hashtags and mentions coloured as the platforms do."""
    out: list[str] = []
    last = 0
    for match in _LINK_OR_TAG.finditer(text):
        out.append(str(escape(text[last : match.start()])))
        kind = "link" if match.group(1) else "tag" if match.group(2) else "mention"
        out.append(f'<span class="{kind}">{escape(match.group(0))}</span>')
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))  # every piece escaped above


def dark_variant(html: str) -> str:
    """The newsletter as a client in dark mode renders it: its dark media queries in force.

    A frame cannot be told the reader prefers dark (it follows the browser), so the queries are
    rewritten: (prefers-color-scheme: dark) always true, (…: light) never.
    """

    def swap(match: re.Match[str]) -> str:
        return "(min-width: 0px)" if match.group(1).lower() == "dark" else "(max-width: 0px)"

    rewritten = _DARK_QUERY.sub(swap, html)
    forced = "<style>:root{color-scheme:dark}</style>"
    return _HEAD_END.sub(lambda m: forced + m.group(0), rewritten, count=1)


def _period(e: Edition) -> str:
    """The period's first and last day, in its own time zone (the end is exclusive)."""
    if e.start is None or e.end is None:
        return e.label
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(e.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    first = e.start.astimezone(zone).date()
    last = (e.end.astimezone(zone) - timedelta(microseconds=1)).date()
    return first.isoformat() if first == last else f"{first.isoformat()} → {last.isoformat()}"


def error_json(version: int, error: str | None) -> str:
    data: dict[str, Any] = {"version": version, "error": error}
    return json.dumps(data, ensure_ascii=False)
