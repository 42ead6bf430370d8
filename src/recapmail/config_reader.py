"""Reading one table of feeds.toml against a dataclass whose fields declare their options.

An option says what kind of value it takes and how it is checked (`Option` in a field's
metadata); the reader does the rest the same way for every key: the type, control characters,
the markup check of text readers see, ranges, choices, URLs, paths relative to the file, and an
error that names the file, the line and the key, with a "did you mean" for a misspelt key.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from recapmail.errors import ConfigError

# Text shown to readers is escaped in the HTML, but shown as written in the text part and the
# posts: a tag there is a mistake (or worse), and is refused.
_MARKUP = re.compile(r"</?[a-zA-Z][^<>]*>|<!--")
_KINDS = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}

_T = TypeVar("_T")
Check = Callable[[Any], str | None]  # the value -> what is wrong with it, or None


@dataclass(frozen=True, slots=True)
class Option:
    kind: type = str  # str, int, float, bool, list (of strings) or Path
    key: str = ""  # its name in the file, when not the field's ("from")
    plain: bool = False  # shown to readers: no markup
    range: tuple[float, float] | None = None
    unit: str = ""  # said after the range: "(pixels)"
    schemes: tuple[str, ...] = ()  # a URL of these schemes
    check: Check | None = None
    convert: Callable[[Any], Any] | None = None  # applied before the checks


def option(default: Any, **how: Any) -> Any:
    """A dataclass field that is an option of feeds.toml (see Option)."""
    from dataclasses import field

    if isinstance(default, tuple | list):
        return field(default_factory=lambda: tuple(default), metadata={"option": Option(**how)})
    return field(default=default, metadata={"option": Option(**how)})


class Reader:
    """Validates the parsed TOML, naming the line of each offending key."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.source_names: dict[int, str] = {}

    def options(self, cls: type[_T], t: Mapping[str, Any], section: str) -> dict[str, Any]:
        """The values of `t` for the option fields of `cls`, checked; an empty string, an empty
        list or an absent key leaves the field's default."""
        declared = {
            f.metadata["option"].key or f.name: (f, f.metadata["option"])
            for f in fields(cls)  # type: ignore[arg-type]
            if "option" in f.metadata
        }
        self.known(t, declared, section)
        values: dict[str, Any] = {}
        for key, (f, opt) in declared.items():
            value = self.value(t, section, key, opt)
            if value is not None and value != "" and value != ():
                values[f.name] = value
            elif f.default is MISSING and f.default_factory is MISSING:
                raise self.error(section, key, "is required")
        return values

    def value(self, t: Mapping[str, Any], section: str, key: str, opt: Option) -> Any:
        if key not in t:
            return None
        if opt.kind is list:
            value: Any = self.strings(t, section, key)
        else:
            value = self.get(t, section, key, str if opt.kind is Path else opt.kind)
        if opt.convert is not None:
            value = opt.convert(value)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if opt.plain:
                self.plain(section, key, item)
            if opt.range is not None and not opt.range[0] <= item <= opt.range[1]:
                low, high = (str(int(n)) if float(n).is_integer() else str(n) for n in opt.range)
                unit = f" ({opt.unit})" if opt.unit else ""
                raise self.error(section, key, f"must be between {low} and {high}{unit}")
            if opt.schemes and item:
                self.url(section, key, item, opt.schemes)
            problem = opt.check(item) if opt.check and item != "" else None
            if problem:
                raise self.error(section, key, problem)
        if opt.kind is Path and value:
            return self.relative(Path(value))
        return value

    # -- one value -------------------------------------------------------------------------

    def table(self, data: Mapping[str, Any], name: str) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise self.error("", name, f"must be a table: write [{name}]")
        return value

    def get(self, t: Mapping[str, Any], section: str, key: str, kind: type[_T]) -> _T | None:
        if key not in t:
            return None
        value = t[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(section, key, f"must be {_KINDS.get(kind, kind.__name__)}")
        if isinstance(value, str) and any(ord(c) < 32 and c not in "\t\n" for c in value):
            raise self.error(section, key, "contains control characters")
        return value

    def strings(self, t: Mapping[str, Any], section: str, key: str) -> tuple[str, ...]:
        value = t.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(section, key, 'must be a list of strings, e.g. ["a", "b"]')
        return tuple(value)

    def plain(self, section: str, key: str, value: str) -> None:
        found = _MARKUP.search(value)
        if found:
            raise self.error(
                section, key, f"contains markup ({found.group(0)[:40]!r}); write plain text"
            )

    def url(self, section: str, key: str, value: str, schemes: tuple[str, ...]) -> None:
        parts = urlsplit(value)
        ok = parts.scheme.lower() in schemes and (parts.netloc or parts.scheme == "mailto")
        if not ok or any(c in value for c in " <>\"'`\\"):
            allowed = ", ".join(f"{x}:" for x in schemes)
            raise self.error(section, key, f"{value!r} is not a valid URL ({allowed} only)")

    def known(self, t: Mapping[str, Any], keys: Collection[str], section: str) -> None:
        for key in t:
            if key not in keys:
                where = f"[{self.label(section)}]" if section else "the top level"
                message = f"unknown key {key!r} in {where}{hint(key, keys)}"
                raise self.error(section, key, message)

    def relative(self, path: Path) -> Path:
        path = path.expanduser()
        return path if path.is_absolute() else self.path.parent / path

    # -- where -----------------------------------------------------------------------------

    def error(self, section: str, key: str, message: str) -> ConfigError:
        line = self._line_of(section, key)
        where = f"{self.path}:{line}" if line else str(self.path)
        if not message.startswith("unknown key"):
            message = f"{self.label(section) + '.' if section else ''}{key}: {message}"
        return ConfigError(f"{where}: {message}")

    def label(self, section: str) -> str:
        """ "sources[1]" (counted from 0 inside) as a reader counts it, with its name:
        'sources[2] ("CNCF Blog")'."""
        match = re.fullmatch(r"sources\[(\d+)\]", section)
        if not match:
            return section
        index = int(match.group(1))
        name = self.source_names.get(index)
        return f"sources[{index + 1}]" + (f' ("{name}")' if name else "")

    def _line_of(self, section: str, key: str) -> int | None:
        """Find the line of `key` inside `section` ("sources[2]" is the third [[sources]])."""
        match = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", section) if section else None
        start, seen = 0, -1
        if match:
            name, index = match.group(1), int(match.group(2) or 0)
            header = re.compile(rf"^\s*\[\[?\s*{re.escape(name)}\s*\]\]?\s*(#.*)?$")
            for number, text in enumerate(self.lines):
                if header.match(text):
                    seen += 1
                    if seen == index:
                        start = number
                        break
        key_re = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number in range(start, len(self.lines)):
            text = self.lines[number]
            if number > start and section and re.match(r"^\s*\[", text):
                break
            if key_re.match(text) or (
                not section and re.match(rf"^\s*\[\[?{re.escape(key)}", text)
            ):
                return number + 1
        return start + 1 if match and seen >= 0 else None


def hint(word: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
