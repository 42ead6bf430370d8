"""OPML, the format feed readers (rss2email, FreshRSS, Miniflux, Feedly) import and export:
`recapmail feeds --import FILE.opml` adds its feeds to feeds.toml, keeping the file's
comments and order (tomlkit); `feeds --export FILE` writes the configured feeds as OPML 2.0.
OPML is read with defusedxml: an entity bomb or an external DTD is refused, not expanded."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from recapmail.config import Config
from recapmail.errors import ConfigError, RecapmailError
from recapmail.urls import url_key

MAX_OPML_BYTES = 10_000_000


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    name: str
    url: str
    tags: tuple[str, ...] = ()  # the folders it sits in


def read_opml(path: Path) -> list[OpmlFeed]:
    """Every outline with an xmlUrl, in document order; the folders above one become tags."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RecapmailError(f"{path}: cannot read the OPML file ({exc.strerror})") from None
    if len(data) > MAX_OPML_BYTES:
        raise RecapmailError(f"{path}: larger than 10 MB; is it an OPML export?")
    try:
        root = fromstring(data, forbid_dtd=True)  # OPML never needs one
    except DefusedXmlException as exc:
        raise RecapmailError(f"{path}: refused ({type(exc).__name__}): not a plain OPML") from None
    except ET.ParseError as exc:
        raise RecapmailError(f"{path}: not valid XML ({exc}); is it an OPML export?") from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise RecapmailError(f"{path}: not an OPML file (no <opml><body>)")
    found: list[OpmlFeed] = []

    def walk(node: ET.Element, folders: tuple[str, ...]) -> None:
        for outline in node.findall("outline"):
            name = (outline.get("title") or outline.get("text") or "").strip()
            url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
            if url:
                found.append(OpmlFeed(name or url, url, folders))
            else:
                walk(outline, (*folders, name) if name else folders)

    walk(body, ())
    return found


def import_feeds(config_path: Path, feeds: list[OpmlFeed]) -> tuple[list[OpmlFeed], int]:
    """Append the feeds not configured yet to feeds.toml as [[sources]]; returns the ones
    added and how many were there already. The file is rewritten whole, atomically."""
    import tomlkit

    try:
        text = config_path.read_text(encoding="utf-8")
        document = tomlkit.parse(text)
    except OSError as exc:
        raise ConfigError(f"{config_path}: cannot read the config ({exc.strerror})") from None
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{config_path}: invalid TOML: {exc}") from None
    sources = document.get("sources")
    if sources is None:
        sources = tomlkit.aot()
        document["sources"] = sources
    known_urls = {url_key(str(s.get("url"))) for s in sources if s.get("url")}
    names = {str(s.get("name")) for s in sources}
    added: list[OpmlFeed] = []
    for feed in feeds:
        if url_key(feed.url) in known_urls:
            continue
        if not added and len(sources) and not text.endswith("\n\n"):
            sources[-1].add(tomlkit.nl())
        name, n = feed.name, 2
        while name in names:
            name, n = f"{feed.name} ({n})", n + 1
        table = tomlkit.table()
        table["name"] = name
        table["url"] = feed.url
        if feed.tags:
            table["tags"] = list(feed.tags)
        table.add(tomlkit.nl())  # a blank line between sources, as people write them
        sources.append(table)
        known_urls.add(url_key(feed.url))
        names.add(name)
        added.append(OpmlFeed(name, feed.url, feed.tags))
    if added:
        _write(config_path, tomlkit.dumps(document))
    return added, len(feeds) - len(added)


def export_opml(cfg: Config) -> str:
    """The configured feed sources as OPML 2.0, tags as folders' names in `category`."""
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = cfg.newsletter.title
    body = ET.SubElement(root, "body")
    for s in cfg.sources:
        if s.url is None or s.type == "page":
            continue
        attrs = {"type": "rss", "text": s.name, "title": s.name, "xmlUrl": s.url}
        if s.tags:
            attrs["category"] = ",".join(s.tags)
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _write(path: Path, text: str) -> None:
    """Replace feeds.toml with `text`, once it reads as a valid config, keeping its mode."""
    from recapmail.config import read_config

    try:
        mode = path.stat().st_mode & 0o777
        fd, name = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".toml", dir=path.parent)
        tmp = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            tmp.chmod(mode)
            read_config(tmp)  # an import never leaves a config recapmail cannot read
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the config ({exc.strerror})") from None
