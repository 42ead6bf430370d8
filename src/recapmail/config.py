"""feeds.toml -> a frozen Config, with errors that name the file, the line and the key.

Each table is a dataclass whose fields declare their options (config_reader.Option): its kind,
its default, written once, and its checks. What involves two keys is checked after, in _read.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from recapmail.config_reader import Reader, hint, option
from recapmail.errors import ConfigError
from recapmail.model import PLATFORMS, Platform

CONFIG_NAME = "feeds.toml"
MAX_CONFIG_BYTES = 1_000_000
_HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
WEB = ("https", "http")


def _language(value: str) -> str | None:
    return (
        None
        if re.fullmatch(r"[a-z]{2}", value)
        else f"{value!r} is not a two-letter code such as 'fr'"
    )


def _color(value: str) -> str | None:
    return None if _HEX_COLOR.match(value) else f"{value!r} is not a colour such as '#0b5cad'"


def _address(value: str) -> str | None:
    from email.utils import parseaddr

    ok = _EMAIL.match(parseaddr(value)[1]) and "\n" not in value and "\r" not in value
    return None if ok else f"{value!r} is not an email address"


def _timezone(name: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name!r}"
    return None


def _subject(value: str) -> str | None:
    try:
        value.format(title="", period="", top="", count=0)
    except (KeyError, IndexError, ValueError) as exc:
        return f"{value!r}: use only {{title}}, {{period}}, {{top}}, {{count}} ({exc})"
    return None


def _platform(value: str) -> str | None:
    return None if value in PLATFORMS else f"unknown platform {value!r}{hint(value, PLATFORMS)}"


def _hashtag(tag: str) -> str | None:
    return (
        None
        if re.fullmatch(r"#\w+", tag)
        else f"{tag!r} is not a hashtag (letters and digits only)"
    )


def _one_of(*choices: str, message: str) -> Any:
    return lambda value: None if value in choices else message.format(value=value)


@dataclass(frozen=True, slots=True)
class NewsletterConfig:
    title: str = option("Veille open infrastructure", plain=True)
    # A template: {title}, {period}, {top}, {count}; render/email.py has the default.
    subject: str = option("", plain=True, check=_subject)
    language: str = option("fr", check=_language)
    team: str = option("recapmail", plain=True)
    sender: str = option("newsletter@example.org", key="from", check=_address)
    to: tuple[str, ...] = option((), kind=list, check=_address)
    reply_to: str = option("")
    brand_color: str = option("#0b5cad", check=_color)
    logo_url: str = option("", schemes=WEB)
    logo_alt: str = option("", plain=True)
    # CSS pixels; give the image at twice this size for sharp screens.
    logo_width: int = option(48, kind=int, range=(8, 600), unit="pixels")
    logo_height: int = option(48, kind=int, range=(8, 600), unit="pixels")
    website_url: str = option("", schemes=WEB)
    web_url: str = option(
        "", schemes=WEB
    )  # where `recapmail archive`'s site is: <web_url>/<label>/
    max_items: int = option(15, kind=int, range=(1, 200))
    templates_dir: Path | None = option(None, kind=Path)
    timezone: str = option("Europe/Paris", check=_timezone)
    intro: str = option("", plain=True)
    reason: str = option("", plain=True)  # why the reader receives it, for the footer
    unsubscribe_url: str = option("", schemes=(*WEB, "mailto"))
    tracking: bool = option(False, kind=bool)  # add utm_* parameters to links
    utm_source: str = option("recapmail")
    address: str = option("", plain=True)  # the sender's postal address, for the footer
    recipients: Path | None = option(None, kind=Path)  # a CSV list (email, name) `send` reads
    unsubscribed: Path | None = option(None, kind=Path)  # the suppression list: one address a line
    # The variable holding the secret of the personal unsubscribe tokens (HMAC of the address).
    unsubscribe_secret_env: str = option("RECAPMAIL_UNSUBSCRIBE_SECRET")


@dataclass(frozen=True, slots=True)
class SocialConfig:
    hashtags: tuple[str, ...] = option(
        (), kind=list, check=_hashtag,
        convert=lambda tags: tuple(t if t.startswith("#") else f"#{t}" for t in tags),
    )  # fmt: skip
    mastodon_limit: int = option(500, kind=int, range=(100, 100_000))
    platforms: tuple[Platform, ...] = option(
        PLATFORMS, kind=list, check=_platform, convert=lambda p: tuple(dict.fromkeys(p))
    )
    # The team's voice: "Nous étions à…" (first person) or "<team> était à…"; the call to read
    # as an infinitive ("Lire le compte rendu", neutral), or to "vous" or "tu"; emoji or none.
    first_person: bool = option(True, kind=bool)
    address: str = option("", check=_one_of("vous", "tu", message='{value!r}: use "vous" or "tu"'))
    emoji: bool = option(False, kind=bool)


@dataclass(frozen=True, slots=True)
class FetchConfig:
    timeout: float = option(10.0, kind=float, range=(0.1, 300))  # seconds, per read
    deadline: float = option(30.0, kind=float, range=(0.5, 3600))  # seconds, whole feed
    concurrency: int = option(200, kind=int, range=(1, 256))
    # A feed checked less than this many minutes ago is not asked again (0: always ask), as
    # feed readers do: re-runs while editing a template leave the servers alone.
    recheck_after: float = option(15.0, kind=float, range=(0, 10_080))
    max_bytes: int = option(10_000_000, kind=int, range=(10_000, 1_000_000_000))
    max_redirects: int = option(5, kind=int, range=(0, 30))
    user_agent: str = option("")


@dataclass(frozen=True, slots=True)
class SourceConfig:
    name: str = option("", plain=True)
    url: str | None = option(None, schemes=WEB)
    path: Path | None = option(None, kind=Path)
    tags: tuple[str, ...] = option((), kind=list, plain=True)
    language: str | None = option(None)
    enabled: bool = option(True, kind=bool)
    type: str = option(  # "feed", "page" or "auto" for a URL
        "auto",
        check=_one_of("auto", "feed", "page", message="{value!r} must be 'feed', 'page' or 'auto'"),
    )
    # How old an item may be (digest.py has the defaults).
    max_age_days: int | None = option(
        None, kind=int, check=lambda n: None if n >= 1 else "must be at least 1"
    )
    base_url: str = option("", schemes=WEB)  # where a `path` source's recaps are on the team's blog


def _endpoint(url: str) -> str | None:
    """An endpoint named by its address only: no user or password (they would be shown in
    every warning), no query (it would be dropped), a port that is a number."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018
    except ValueError:
        return f"{url!r}: the port is not a number"
    if parts.username is not None or parts.password is not None:
        return "put no user or password in the address: give the key with api_key_env"
    if parts.query or parts.fragment:
        return f"{url!r}: give the endpoint's address without ?query or #fragment"
    return None


def _variable_name(value: str) -> str | None:
    ok = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value)
    return None if ok else "the name of an environment variable, not a key"


@dataclass(frozen=True, slots=True)
class LlmConfig:
    """An OpenAI-compatible chat-completions endpoint the team runs itself (drafting/)."""

    # e.g. http://127.0.0.1:11434/v1 (Ollama)
    base_url: str = option("", schemes=WEB, check=_endpoint, convert=lambda url: url.rstrip("/"))
    model: str = option("")
    # The name of the variable holding the key, never the key.
    api_key_env: str = option("", check=_variable_name)
    timeout: float = option(60.0, kind=float, range=(0.1, 600))  # seconds, per answer
    concurrency: int = option(2, kind=int, range=(1, 32))


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
    return _read(Reader(path, text), data)


def _read(reader: Reader, data: dict[str, Any]) -> Config:
    reader.known(data, ("newsletter", "social", "fetch", "llm", "sources", "state"), "")
    tables = {name: reader.table(data, name) for name in ("newsletter", "social", "fetch", "state")}
    reader.known(tables["state"], ("path",), "state")
    sources_raw = data.get("sources", [])
    if not isinstance(sources_raw, list):
        raise reader.error("", "sources", "must be an array of tables: write [[sources]]")
    sources = tuple(_source(reader, i, s) for i, s in enumerate(sources_raw))
    names = [s.name for s in sources]
    for name in names:
        if names.count(name) > 1:
            raise reader.error("sources", "name", f"two sources are named {name!r}")
    state_path = os.environ.get("RECAPMAIL_STATE") or reader.get(
        tables["state"], "state", "path", str
    )
    return Config(
        newsletter=NewsletterConfig(
            **reader.options(NewsletterConfig, tables["newsletter"], "newsletter")
        ),
        social=SocialConfig(**reader.options(SocialConfig, tables["social"], "social")),
        fetch=FetchConfig(**reader.options(FetchConfig, tables["fetch"], "fetch")),
        llm=_llm(reader, reader.table(data, "llm")) if "llm" in data else None,
        sources=sources,
        state_path=reader.relative(Path(state_path)) if state_path else None,
        path=reader.path,
    )


def _source(reader: Reader, index: int, t: Any) -> SourceConfig:
    s = f"sources[{index}]"
    if not isinstance(t, dict):
        raise reader.error("", "sources", "each source must be a table: write [[sources]]")
    if isinstance(t.get("name"), str) and t["name"].strip():
        reader.source_names[index] = t["name"].strip()
    reader.known(t, [f.name for f in fields(SourceConfig)], s)
    if not reader.get(t, s, "name", str):
        raise reader.error(s, "name", "every source needs a name")
    values = reader.options(SourceConfig, t, s)
    name = values["name"]
    if bool(values.get("url")) == bool(values.get("path")):
        raise reader.error(s, "url", f"source {name!r} needs exactly one of 'url' or 'path'")
    if values.get("base_url") and not values.get("path"):
        raise reader.error(
            s, "base_url", f"source {name!r} is a feed; base_url is for a 'path' source"
        )
    return SourceConfig(**values)


def _llm(reader: Reader, t: dict[str, Any]) -> LlmConfig:
    values = reader.options(LlmConfig, t, "llm")
    for key in ("base_url", "model"):
        if not values.get(key):
            raise reader.error("llm", key, "[llm] needs both")
    host = urlsplit(values["base_url"]).hostname or ""
    loopback = host in ("localhost", "::1") or host.startswith("127.")
    if values.get("api_key_env") and values["base_url"].startswith("http:") and not loopback:
        raise reader.error(
            "llm", "base_url", "the key would travel in clear to another machine: use https"
        )
    return LlmConfig(**values)
