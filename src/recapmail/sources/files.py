"""Recap articles on disk (.txt, .md with YAML front matter, .html) -> Article."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from recapmail.dates import parse_date
from recapmail.errors import DraftSkipped, SourceError
from recapmail.model import Article
from recapmail.sources.decode import cap_body, decode
from recapmail.sources.html import html_to_article
from recapmail.text import strip_markup

log = logging.getLogger(__name__)
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
        return list(read_folder(path, warn=lambda why: log.warning("%s", why)))
    return [read_file(path, source)]


def read_folder(folder: Path, warn: Callable[[str], None] | None = None) -> Iterator[Article]:
    """Every article of a folder but its drafts."""
    for path in iter_folder(folder, warn=warn):
        try:
            yield read_file(path)
        except DraftSkipped:
            continue


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown(path: Path | str) -> str:
    """A path as valid UTF-8 text: the bytes of a name that are not UTF-8 are shown escaped
    (`caf\\xe9.md`), so the name can be printed, written to JSON and kept in the state; so
    are control characters (a name holding a terminal escape or a line break)."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text


def iter_folder(
    folder: Path,
    on_draft: Callable[[Path], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """The article files of `folder`, sorted; hidden ones (`.`) are left out, and drafts
    named `_*` (or under a `_*` folder) are given to `on_draft` instead.

    Only regular files are listed: a FIFO, a device or a loop of links is told to `warn`, and
    so is a sub-folder that cannot be read. One that vanishes during the walk is passed over.
    More than MAX_FOLDER_FILES files raise SourceError: the folder is not read in part."""

    def unreadable(exc: OSError) -> None:
        if warn is not None and not isinstance(exc, FileNotFoundError):
            name = shown(exc.filename) if exc.filename is not None else shown(folder)
            warn(f"{name}: folder skipped ({_refusal(exc)})")

    files: list[Path] = []
    for top, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        drafts = any(part.startswith("_") for part in Path(top).relative_to(folder).parts)
        for name in sorted(names):
            if name.startswith(".") or Path(name).suffix.lower() not in ARTICLE_SUFFIXES - {""}:
                continue
            path = Path(top, name)
            try:
                mode = path.stat().st_mode
            except FileNotFoundError:
                if path.is_symlink() and warn is not None:
                    warn(f"{shown(path)}: skipped (a link to nothing)")
                continue  # gone since the folder was listed
            except OSError as exc:
                if warn is not None:
                    warn(f"{shown(path)}: skipped ({_refusal(exc)})")
                continue
            if stat.S_ISDIR(mode):
                continue  # a link to a folder: not followed (it could loop)
            if not stat.S_ISREG(mode):
                if warn is not None:
                    warn(f"{shown(path)}: skipped ({_kind(mode)}, not a file)")
                continue
            if drafts or name.startswith("_"):
                if on_draft is not None:
                    on_draft(path)
                continue
            files.append(path)
            if len(files) > MAX_FOLDER_FILES:
                raise SourceError(
                    f"{shown(folder)}: more than {MAX_FOLDER_FILES} files; none read: "
                    "point `path` to a smaller folder"
                )
    files.sort()
    yield from files


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a folder"
    if stat.S_ISFIFO(mode):
        return "is a FIFO"
    if stat.S_ISSOCK(mode):
        return "is a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device"
    return "is not a regular file"


def _refusal(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "is a loop of symbolic links"
    if exc.errno == errno.ENOENT:
        return "no such file (check the path)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return f"cannot read ({exc.strerror or exc})"


def read_regular(path: Path, where: str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else (a FIFO, a device
    such as /dev/zero behind a link, a loop of links, a folder) is refused, saying what it is."""
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise SourceError(f"{where}: is a folder")
        if not stat.S_ISREG(mode):
            raise SourceError(f"{where}: {_kind(mode)}, not a file; not read")
        # O_NONBLOCK: a file swapped for a FIFO after the check does not block the open.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            opened = os.fstat(handle.fileno())
            if not stat.S_ISREG(opened.st_mode):
                raise SourceError(f"{where}: is not a regular file; not read")
            data = b"" if opened.st_size > limit else handle.read(limit + 1)
            size = max(opened.st_size, len(data))
    except FileNotFoundError:
        if path.is_symlink():
            raise SourceError(f"{where}: a link to nothing (check the path)") from None
        raise SourceError(f"{where}: no such file (check the path)") from None
    except OSError as exc:
        raise SourceError(f"{where}: {_refusal(exc)}") from None
    if size > limit:
        raise SourceError(
            f"{where}: file is larger than {limit // 1_000_000} MB; is it really an article?"
        )
    return data


def read_file(path: Path, source: str | None = None) -> Article:
    """Only a regular file is read (never a FIFO or a device), and at most 16 MB of it."""
    where = shown(source) if source else shown(path)
    data = read_regular(path, where, MAX_FILE_BYTES)
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
