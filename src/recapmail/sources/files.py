"""Recap articles on disk (.txt, .md with YAML front matter, .html) -> Article."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from recapmail.dates import parse_date
from recapmail.errors import DraftSkipped, SourceError
from recapmail.model import Article
from recapmail.sources.decode import cap_body, decode, strip_markup
from recapmail.sources.html import html_to_article

MAX_FILE_BYTES = 16_000_000
MAX_FRONT_MATTER = 64_000
MAX_FOLDER_FILES = 5_000
TEXT_SUFFIXES = {".txt", ".text", ""}
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
ARTICLE_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_TOML_FRONT_MATTER = re.compile(r"\A\+\+\+[ \t]*\n(.*?)\n\+\+\+[ \t]*(?:\n|\Z)", re.DOTALL)


def read_path(path: Path, source: str | None = None) -> list[Article]:
    """A file gives one article; a folder gives every article file under it, sorted."""
    if path.is_dir():
        return list(read_folder(path))
    return [read_file(path, source)]


def read_folder(folder: Path) -> Iterator[Article]:
    """Every article of a folder but its drafts."""
    for path in iter_folder(folder):
        try:
            yield read_file(path)
        except DraftSkipped:
            continue


def iter_folder(folder: Path, on_draft: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """The article files of `folder`, sorted; hidden ones (`.`) are left out, and drafts
    named `_*` (or under a `_*` folder) are given to `on_draft` instead."""
    files = []
    for p in folder.rglob("*"):
        if not p.is_file() or p.suffix.lower() not in ARTICLE_SUFFIXES - {""}:
            continue
        parts = p.relative_to(folder).parts
        if any(part.startswith(".") for part in parts):
            continue
        if any(part.startswith("_") for part in parts):
            if on_draft is not None:
                on_draft(p)
            continue
        files.append(p)
    files.sort()
    if len(files) > MAX_FOLDER_FILES:
        raise SourceError(
            f"{folder}: more than {MAX_FOLDER_FILES} files; point to a smaller folder"
        )
    yield from files


def read_file(path: Path, source: str | None = None) -> Article:
    where = source or str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise SourceError(f"{where}: is a folder")
        if size > MAX_FILE_BYTES:
            raise SourceError(f"{where}: file is larger than 16 MB; is it really an article?")
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{where}: no such file (check the path)") from None
    except PermissionError:
        raise SourceError(f"{where}: permission denied") from None
    except OSError as exc:
        raise SourceError(f"{where}: cannot read ({exc.strerror})") from None
    return parse_bytes(data, where, path.suffix.lower())


def parse_bytes(data: bytes, where: str, suffix: str) -> Article:
    """Turn the bytes of one article into an Article; `suffix` picks the format."""
    if not data.strip():
        raise SourceError(f"{where}: the file is empty")
    if suffix in HTML_SUFFIXES or (suffix not in MARKDOWN_SUFFIXES and _looks_html(data)):
        return html_to_article(data, where)
    text = decode(data, where)
    if not text.strip():
        raise SourceError(f"{where}: the file holds no text")
    meta, body = split_front_matter(text, where)
    if is_draft(meta):
        raise DraftSkipped(f"{where}: a draft (front matter marks it unpublished); not sent")
    body_format = "markdown" if suffix in MARKDOWN_SUFFIXES or meta else "text"
    return article_from_meta(meta, cap_body(body, where), where, body_format)


def is_draft(meta: dict[str, Any]) -> bool:
    """The keys site generators use to keep a post off the site (Hugo, Jekyll, Hexo's
    hidePost): what is not on the blog does not go to clients either. Keys in any case
    (TOML front matter keeps them as written)."""
    keys = {str(k).lower(): v for k, v in meta.items()}
    return (
        keys.get("draft") is True or keys.get("published") is False or keys.get("hidepost") is True
    )


def _looks_html(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    """YAML (---) or TOML (+++) front matter, read safely: no tags, no alias bombs."""
    match = _FRONT_MATTER.match(text)
    if match:
        return _yaml_meta(match.group(1), where), text[match.end() :]
    match = _TOML_FRONT_MATTER.match(text)
    if match:
        import tomllib

        try:
            return tomllib.loads(match.group(1)), text[match.end() :]
        except tomllib.TOMLDecodeError as exc:
            raise SourceError(f"{where}: invalid TOML front matter: {exc}") from None
        except RecursionError:
            raise SourceError(f"{where}: front matter is nested too deeply") from None
    return {}, text


def _yaml_meta(block: str, where: str) -> dict[str, Any]:
    import yaml

    if len(block) > MAX_FRONT_MATTER:
        raise SourceError(f"{where}: front matter is larger than 64 KB")
    if block.count("*") > 100:  # aliases: a handful is normal, hundreds is an alias bomb
        raise SourceError(f"{where}: front matter uses too many YAML aliases")
    try:
        meta = yaml.safe_load(block)
    except yaml.constructor.ConstructorError as exc:
        tag = re.search(r"tag '([^']{1,80})", exc.problem or "")
        raise SourceError(
            f"{where}: front matter uses a YAML tag that is not allowed "
            f"({tag.group(1) if tag else 'unknown tag'}); write plain values"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 2}" if mark is not None else ""
        raise SourceError(
            f"{where}:{line}: invalid YAML front matter; check the block between ---"
        ) from None
    except RecursionError:
        raise SourceError(f"{where}: front matter is nested too deeply") from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise SourceError(f"{where}: front matter must be 'key: value' lines")
    return {str(k).lower(): v for k, v in meta.items()}


def _text(value: Any, limit: int = 1000) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = strip_markup(str(value))
        return text[:limit] or None
    return None


def _tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        items: list[Any] = re.split(r"[,;]", value)
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return ()
    tags = (_text(item, 60) for item in items[:50])
    return tuple(dict.fromkeys(t.strip() for t in tags if t and t.strip()))


def _authors(value: Any) -> str | None:
    """`author: Claire Martin` or `authors: [Bruno, Joffrey]` as one line: "Bruno, Joffrey"."""
    if isinstance(value, list | tuple):
        names = [n for n in (_text(v, 100) for v in value[:10]) if n]
        return ", ".join(names)[:200] or None
    return _text(value, 200)


_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")
_SLUG = re.compile(r"[^\w-]+")


def recap_link(article: Article, base_url: str | None) -> str | None:
    """A recap's link on the team's blog: its front-matter `url`, else `base_url` and its
    front-matter `slug`, else `base_url` and its file name ("2026-11-17-lyon.md" -> "lyon/",
    the date prefix dropped as Jekyll does)."""
    if article.url or not base_url or article.kind != "file":
        return article.url
    from urllib.parse import quote

    raw = article.slug or _DATE_PREFIX.sub("", Path(article.source).stem)
    slug = _SLUG.sub("-", raw.strip().strip("/")).strip("-")
    if not slug:
        return None
    return f"{base_url.rstrip('/')}/{quote(slug)}/"


def article_from_meta(meta: dict[str, Any], body: str, where: str, body_format: str) -> Article:
    seo_block = meta.get("seo")  # some site generators keep description and URL only there
    seo: dict[str, Any] = seo_block if isinstance(seo_block, dict) else {}
    url = _text(
        meta.get("canonical") or meta.get("url") or meta.get("link") or seo.get("url"), 2000
    )
    if url and not re.match(r"https?://", url, re.IGNORECASE):
        url = None
    language = _text(meta.get("lang") or meta.get("language"), 10)
    return Article(
        source=where,
        body=body,
        body_format="markdown" if body_format == "markdown" else "text",
        kind="file",
        url=url,
        title=_text(meta.get("title"), 300),
        description=_text(
            meta.get("description")
            or meta.get("summary")
            or meta.get("excerpt")
            or seo.get("description")
        ),
        published=parse_date(meta.get("date") or meta.get("published") or meta.get("pubdate")),
        author=_authors(meta.get("author") or meta.get("authors")),
        slug=_text(meta.get("slug"), 200),
        tags=_tags(meta.get("tags") or meta.get("category") or meta.get("categories")),
        language=language.lower()[:2] if language else None,
    )


def files_stamp(files: Iterable[Path]) -> str:
    """A hash of each file's path, size, modification time and inode, as make would judge
    them; a file that cannot be looked at is left out (so its absence changes the stamp)."""
    parts = []
    for path in sorted(files):
        try:
            st = path.stat()
        except OSError:
            continue
        parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}")
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
