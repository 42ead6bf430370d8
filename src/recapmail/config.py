"""feeds.toml -> a frozen Config, with errors that name the file, the line and the key."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from recapmail.errors import ConfigError
from recapmail.model import PLATFORMS, Platform

CONFIG_NAME = "feeds.toml"
MAX_CONFIG_BYTES = 1_000_000
_HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
# Text shown to readers is escaped in the HTML, but shown as written in the text part and the
# posts: a tag there is a mistake (or worse), and is refused.
_MARKUP = re.compile(r"</?[a-zA-Z][^<>]*>|<!--")


@dataclass(frozen=True, slots=True)
class NewsletterConfig:
    title: str = "Veille open infrastructure"
    subject: str = ""  # a template: {title}, {period}, {top}, {count}; render/email.py's default
    language: str = "fr"
    team: str = "recapmail"
    sender: str = "newsletter@example.org"  # `from` in the file
    to: tuple[str, ...] = ()
    reply_to: str = ""
    brand_color: str = "#0b5cad"
    logo_url: str = ""
    logo_alt: str = ""
    logo_width: int = 48  # CSS pixels; give the image at twice this size for sharp screens
    logo_height: int = 48
    website_url: str = ""
    web_url: str = (
        ""  # where `recapmail archive`'s site is served: each edition at <web_url>/<label>/
    )
    max_items: int = 15
    templates_dir: Path | None = None
    timezone: str = "Europe/Paris"
    intro: str = ""
    reason: str = ""  # why the reader receives it, for the footer
    unsubscribe_url: str = ""
    tracking: bool = False  # add utm_* parameters to links
    utm_source: str = "recapmail"
    address: str = ""  # the sender's postal address, for the footer
    recipients: Path | None = None  # a CSV list (email, name) `send` reads when no --to
    unsubscribed: Path | None = None  # the suppression list: one address a line
    # The variable holding the secret of the personal unsubscribe tokens (HMAC of the address).
    unsubscribe_secret_env: str = "RECAPMAIL_UNSUBSCRIBE_SECRET"


@dataclass(frozen=True, slots=True)
class SocialConfig:
    hashtags: tuple[str, ...] = ()
    mastodon_limit: int = 500
    platforms: tuple[Platform, ...] = PLATFORMS
    # The team's voice: "Nous étions à…" (first person) or "<team> était à…"; the call to read
    # as an infinitive ("Lire le compte rendu", neutral), or to "vous" or "tu"; emoji or none.
    first_person: bool = True
    address: str = ""
    emoji: bool = False


@dataclass(frozen=True, slots=True)
class FetchConfig:
    timeout: float = 10.0  # seconds, per read
    deadline: float = 30.0  # seconds, whole feed
    concurrency: int = 200
    # A feed checked less than this many minutes ago is not asked again (0: always ask), as
    # feed readers do: re-runs while editing a template leave the servers alone.
    recheck_after: float = 15.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    user_agent: str = ""


@dataclass(frozen=True, slots=True)
class SourceConfig:
    name: str
    url: str | None = None
    path: Path | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    enabled: bool = True
    type: str = "auto"  # "feed", "page" or "auto" for a URL
    max_age_days: int | None = None  # how old an item may be (digest.py has the defaults)
    base_url: str = ""  # where a `path` source's recaps are on the team's blog


@dataclass(frozen=True, slots=True)
class LlmConfig:
    """An OpenAI-compatible chat-completions endpoint the team runs itself (drafting/)."""

    base_url: str  # e.g. http://127.0.0.1:11434/v1 (Ollama)
    model: str
    api_key_env: str = ""  # the name of the variable holding the key, never the key
    timeout: float = 60.0  # seconds, per answer
    concurrency: int = 2


@dataclass(frozen=True, slots=True)
class Config:
    newsletter: NewsletterConfig = field(default_factory=NewsletterConfig)
    social: SocialConfig = field(default_factory=SocialConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    llm: LlmConfig | None = None  # off unless [llm] is configured
    sources: tuple[SourceConfig, ...] = ()
    state_path: Path | None = None
    path: Path | None = None  # the file it was read from

    @property
    def enabled_sources(self) -> tuple[SourceConfig, ...]:
        return tuple(s for s in self.sources if s.enabled)


def find_config(explicit: Path | None) -> Path | None:
    """`--config`, else ./feeds.toml, else the user config dir; None when there is none."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: no such config file (check the --config path)")
        return explicit
    local = Path(CONFIG_NAME)
    if local.is_file():
        return local
    from platformdirs import user_config_path

    user = user_config_path("recapmail") / CONFIG_NAME
    return user if user.is_file() else None


def load_config(explicit: Path | None = None) -> Config:
    path = find_config(explicit)
    if path is None:  # RECAPMAIL_STATE still says where the state is
        state = os.environ.get("RECAPMAIL_STATE")
        return Config(state_path=Path(state) if state else None)
    return read_config(path)


def read_config(path: Path) -> Config:
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config ({exc.strerror})") from None
    if len(raw_bytes) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: the config is larger than 1 MB; is it the right file?")
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the config is not UTF-8 text; save it as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(
            f"{path}: arrays or tables nested too deeply; is it a feeds.toml?"
        ) from None
    return _Reader(path, text).config(data)


_T = TypeVar("_T")


class _Reader:
    """Validates the parsed TOML, naming the line of each offending key."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.source_names: dict[int, str] = {}

    def config(self, data: dict[str, Any]) -> Config:
        self._known(data, ("newsletter", "social", "fetch", "llm", "sources", "state"), "")
        news = self._table(data, "newsletter")
        social = self._table(data, "social")
        fetch = self._table(data, "fetch")
        state = self._table(data, "state")
        self._known(state, ("path",), "state")
        sources_raw = data.get("sources", [])
        if not isinstance(sources_raw, list):
            raise self._error("", "sources", "must be an array of tables: write [[sources]]")
        sources = tuple(self._source(i, s) for i, s in enumerate(sources_raw))
        names = [s.name for s in sources]
        for name in names:
            if names.count(name) > 1:
                raise self._error("sources", "name", f"two sources are named {name!r}")
        state_path = os.environ.get("RECAPMAIL_STATE") or self._get(state, "state", "path", str)
        return Config(
            newsletter=self._newsletter(news),
            social=self._social(social),
            fetch=self._fetch(fetch),
            llm=self._llm(self._table(data, "llm")) if "llm" in data else None,
            sources=sources,
            state_path=self._relative(Path(state_path)) if state_path else None,
            path=self.path,
        )

    # -- tables ------------------------------------------------------------------------

    def _newsletter(self, t: dict[str, Any]) -> NewsletterConfig:
        keys = [f.name for f in fields(NewsletterConfig) if f.name != "sender"] + ["from"]
        self._known(t, keys, "newsletter")
        d = NewsletterConfig()
        s = "newsletter"
        language = self._get(t, s, "language", str) or d.language
        if not re.fullmatch(r"[a-z]{2}", language):
            raise self._error(s, "language", f"{language!r} is not a two-letter code such as 'fr'")
        color = self._get(t, s, "brand_color", str) or d.brand_color
        if not _HEX_COLOR.match(color):
            raise self._error(s, "brand_color", f"{color!r} is not a colour such as '#0b5cad'")
        sender = self._get(t, s, "from", str) or d.sender
        self._check_address(s, "from", sender)
        to = self._get_list(t, s, "to")
        for address in to:
            self._check_address(s, "to", address)
        templates = self._get(t, s, "templates_dir", str)
        timezone = self._get(t, s, "timezone", str) or d.timezone
        self._check_timezone(s, timezone)
        recipients = self._get(t, s, "recipients", str)
        unsubscribed = self._get(t, s, "unsubscribed", str)
        max_items = self._get(t, s, "max_items", int)
        if max_items is not None and not 1 <= max_items <= 200:
            raise self._error(s, "max_items", "must be between 1 and 200")
        subject = self._text(t, s, "subject") or ""
        try:
            subject.format(title="", period="", top="", count=0)
        except (KeyError, IndexError, ValueError) as exc:
            raise self._error(
                s,
                "subject",
                f"{subject!r}: use only {{title}}, {{period}}, {{top}}, {{count}} ({exc})",
            ) from None
        return NewsletterConfig(
            title=self._text(t, s, "title") or d.title,
            subject=subject,
            language=language,
            team=self._text(t, s, "team") or d.team,
            sender=sender,
            to=to,
            reply_to=self._get(t, s, "reply_to", str) or "",
            brand_color=color,
            logo_url=self._url(t, s, "logo_url", schemes=("https", "http")),
            logo_alt=self._text(t, s, "logo_alt") or "",
            logo_width=self._pixels(t, s, "logo_width", d.logo_width),
            logo_height=self._pixels(t, s, "logo_height", d.logo_height),
            website_url=self._url(t, s, "website_url", schemes=("https", "http")),
            web_url=self._url(t, s, "web_url", schemes=("https", "http")),
            max_items=max_items or d.max_items,
            templates_dir=self._relative(Path(templates)) if templates else None,
            timezone=timezone,
            intro=self._text(t, s, "intro") or "",
            reason=self._text(t, s, "reason") or "",
            unsubscribe_url=self._url(t, s, "unsubscribe_url", schemes=("https", "http", "mailto")),
            tracking=bool(self._get(t, s, "tracking", bool)),
            utm_source=self._get(t, s, "utm_source", str) or d.utm_source,
            address=self._text(t, s, "address") or "",
            recipients=self._relative(Path(recipients)) if recipients else None,
            unsubscribed=self._relative(Path(unsubscribed)) if unsubscribed else None,
            unsubscribe_secret_env=self._get(t, s, "unsubscribe_secret_env", str)
            or d.unsubscribe_secret_env,
        )

    def _social(self, t: dict[str, Any]) -> SocialConfig:
        s = "social"
        self._known(t, [f.name for f in fields(SocialConfig)], s)
        limit = self._get(t, s, "mastodon_limit", int)
        if limit is not None and not 100 <= limit <= 100_000:
            raise self._error(s, "mastodon_limit", "must be between 100 and 100000")
        platforms = self._get_list(t, s, "platforms") or PLATFORMS
        for p in platforms:
            if p not in PLATFORMS:
                raise self._error(
                    s, "platforms", f"unknown platform {p!r}{self._hint(p, PLATFORMS)}"
                )
        hashtags = tuple(
            h if h.startswith("#") else f"#{h}" for h in self._get_list(t, s, "hashtags")
        )
        for tag in hashtags:
            if not re.fullmatch(r"#\w+", tag):
                raise self._error(
                    s, "hashtags", f"{tag!r} is not a hashtag (letters and digits only)"
                )
        address = self._get(t, s, "address", str) or ""
        if address not in ("", "vous", "tu"):
            raise self._error(s, "address", f'{address!r}: use "vous" or "tu"')
        first_person = self._get(t, s, "first_person", bool)
        return SocialConfig(
            hashtags=hashtags,
            mastodon_limit=limit or 500,
            platforms=cast(tuple[Platform, ...], tuple(dict.fromkeys(platforms))),
            first_person=True if first_person is None else first_person,
            address=address,
            emoji=bool(self._get(t, s, "emoji", bool)),
        )

    def _fetch(self, t: dict[str, Any]) -> FetchConfig:
        s = "fetch"
        self._known(t, [f.name for f in fields(FetchConfig)], s)
        d = FetchConfig()
        values: dict[str, Any] = {}
        for key, kind, low, high in (
            ("timeout", float, 0.1, 300),
            ("deadline", float, 0.5, 3600),
            ("concurrency", int, 1, 256),
            ("max_bytes", int, 10_000, 1_000_000_000),
            ("max_redirects", int, 0, 30),
            ("recheck_after", float, 0, 10_080),
        ):
            value = self._get(t, s, key, kind)
            if value is not None and not low <= value <= high:
                raise self._error(s, key, f"must be between {low} and {high}")
            values[key] = getattr(d, key) if value is None else value
        return FetchConfig(user_agent=self._get(t, s, "user_agent", str) or "", **values)

    def _llm(self, t: dict[str, Any]) -> LlmConfig:
        s = "llm"
        self._known(t, [f.name for f in fields(LlmConfig)], s)
        base_url = self._url(t, s, "base_url", schemes=("https", "http"))
        model = self._get(t, s, "model", str) or ""
        if not base_url or not model:
            raise self._error(s, "base_url" if not base_url else "model", "[llm] needs both")
        env = self._get(t, s, "api_key_env", str) or ""
        if env and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env):
            raise self._error(s, "api_key_env", "the name of an environment variable, not a key")
        timeout = self._get(t, s, "timeout", float)
        concurrency = self._get(t, s, "concurrency", int)
        if timeout is not None and not 0.1 <= timeout <= 600:
            raise self._error(s, "timeout", "must be between 0.1 and 600")
        if concurrency is not None and not 1 <= concurrency <= 32:
            raise self._error(s, "concurrency", "must be between 1 and 32")
        return LlmConfig(
            base_url=base_url.rstrip("/"), model=model, api_key_env=env,
            timeout=timeout or 60.0, concurrency=concurrency or 2,
        )  # fmt: skip

    def _source(self, index: int, t: Any) -> SourceConfig:
        s = f"sources[{index}]"
        if isinstance(t, dict) and isinstance(t.get("name"), str) and t["name"].strip():
            self.source_names[index] = t["name"].strip()
        if not isinstance(t, dict):
            raise self._error("", "sources", "each source must be a table: write [[sources]]")
        self._known(t, [f.name for f in fields(SourceConfig)], s)
        name = self._text(t, s, "name")
        if not name:
            raise self._error(s, "name", "every source needs a name")
        url = self._get(t, s, "url", str)
        path = self._get(t, s, "path", str)
        if bool(url) == bool(path):
            raise self._error(s, "url", f"source {name!r} needs exactly one of 'url' or 'path'")
        if url:
            self._url(t, s, "url", schemes=("https", "http"))
        kind = self._get(t, s, "type", str) or "auto"
        if kind not in ("auto", "feed", "page"):
            raise self._error(s, "type", f"{kind!r} must be 'feed', 'page' or 'auto'")
        base_url = self._url(t, s, "base_url", schemes=("https", "http"))
        if base_url and not path:
            raise self._error(
                s, "base_url", f"source {name!r} is a feed; base_url is for a 'path' source"
            )
        max_age = self._get(t, s, "max_age_days", int)
        if max_age is not None and max_age < 1:
            raise self._error(s, "max_age_days", "must be at least 1")
        return SourceConfig(
            name=name,
            url=url,
            path=self._relative(Path(path)) if path else None,
            tags=self._tags(t, s),
            language=self._get(t, s, "language", str),
            enabled=self._get(t, s, "enabled", bool) is not False,
            type=kind,
            max_age_days=max_age,
            base_url=base_url,
        )

    # -- helpers -----------------------------------------------------------------------

    def _pixels(self, t: Mapping[str, Any], section: str, key: str, default: int) -> int:
        value = self._get(t, section, key, int)
        if value is not None and not 8 <= value <= 600:
            raise self._error(section, key, "must be between 8 and 600 (pixels)")
        return default if value is None else value

    def _table(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise self._error("", name, f"must be a table: write [{name}]")
        return value

    def _get(self, t: Mapping[str, Any], section: str, key: str, kind: type[_T]) -> _T | None:
        if key not in t:
            return None
        value = t[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            expected = {
                str: "a string",
                int: "an integer",
                float: "a number",
                bool: "true or false",
            }
            raise self._error(section, key, f"must be {expected.get(kind, kind.__name__)}")
        if isinstance(value, str) and any(ord(c) < 32 and c not in "\t\n" for c in value):
            raise self._error(section, key, "contains control characters")
        return value

    def _text(self, t: Mapping[str, Any], section: str, key: str) -> str | None:
        """A string readers will see: no markup."""
        value = self._get(t, section, key, str)
        if value is not None:
            self._plain(section, key, value)
        return value

    def _tags(self, t: Mapping[str, Any], section: str) -> tuple[str, ...]:
        tags = self._get_list(t, section, "tags")
        for tag in tags:
            self._plain(section, "tags", tag)
        return tags

    def _plain(self, section: str, key: str, value: str) -> None:
        found = _MARKUP.search(value)
        if found:
            raise self._error(
                section, key, f"contains markup ({found.group(0)[:40]!r}); write plain text"
            )

    def _get_list(self, t: Mapping[str, Any], section: str, key: str) -> tuple[str, ...]:
        value = t.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._error(section, key, 'must be a list of strings, e.g. ["a", "b"]')
        return tuple(value)

    def _url(self, t: Mapping[str, Any], section: str, key: str, schemes: tuple[str, ...]) -> str:
        value = self._get(t, section, key, str) or ""
        if value:
            parts = urlsplit(value)
            ok = parts.scheme.lower() in schemes and (parts.netloc or parts.scheme == "mailto")
            if not ok or any(c in value for c in " <>\"'`\\"):
                allowed = ", ".join(f"{x}:" for x in schemes)
                raise self._error(section, key, f"{value!r} is not a valid URL ({allowed} only)")
        return value

    def _check_address(self, section: str, key: str, value: str) -> None:
        from email.utils import parseaddr

        _, address = parseaddr(value)
        if not _EMAIL.match(address) or "\n" in value or "\r" in value:
            raise self._error(section, key, f"{value!r} is not an email address")

    def _check_timezone(self, section: str, name: str) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self._error(section, "timezone", f"unknown time zone {name!r}") from None

    def _known(self, t: Mapping[str, Any], keys: Any, section: str) -> None:
        for key in t:
            if key not in keys:
                where = f"[{self._label(section)}]" if section else "the top level"
                message = f"unknown key {key!r} in {where}{self._hint(key, keys)}"
                raise self._error(section, key, message)

    @staticmethod
    def _hint(word: str, choices: Any) -> str:
        close = difflib.get_close_matches(word, list(choices), n=1)
        return f" (did you mean {close[0]!r}?)" if close else ""

    def _relative(self, path: Path) -> Path:
        path = path.expanduser()
        return path if path.is_absolute() else self.path.parent / path

    def _error(self, section: str, key: str, message: str) -> ConfigError:
        line = self._line_of(section, key)
        where = f"{self.path}:{line}" if line else str(self.path)
        if not message.startswith("unknown key"):
            message = f"{self._label(section) + '.' if section else ''}{key}: {message}"
        return ConfigError(f"{where}: {message}")

    def _label(self, section: str) -> str:
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
