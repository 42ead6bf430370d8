"""Who gets an edition: `--to`, else the `recipients` CSV list, else `to` in feeds.toml, less
the suppression list (`unsubscribed`, one address a line, compared case-insensitively)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.utils import formataddr, getaddresses
from pathlib import Path

from recapmail.config import Config
from recapmail.errors import RecapmailError

SUPPRESSION_NAME = "unsubscribed.txt"
MAX_LIST_BYTES = 50_000_000


class RecipientError(RecapmailError):
    """A recipient list or address that cannot be used."""


@dataclass(frozen=True, slots=True)
class Recipient:
    email: str
    name: str = ""

    @property
    def key(self) -> str:
        return self.email.casefold()

    @property
    def header(self) -> str:
        return formataddr((self.name, self.email)) if self.name else self.email


def check_address(address: str, where: str) -> str:
    """`address` as one plain address, or one RecipientError saying where it came from."""
    address = address.strip()
    local, at, domain = address.rpartition("@")
    bad = (
        not at
        or not local
        or "." not in domain
        or any(c.isspace() or c in '<>,;"()[]\\' for c in address)
        or domain.startswith(".")
        or domain.endswith(".")
    )
    if bad:
        raise RecipientError(f"{where}: {address!r} is not an email address")
    return address


def recipients(cfg: Config, given: Sequence[str]) -> list[Recipient]:
    """The edition's recipients, each once (case-insensitively), in the order given."""
    if given:
        found = []
        for name, address in getaddresses(list(given)):
            found.append(Recipient(check_address(address or name, "--to"), name if address else ""))
    elif cfg.newsletter.recipients is not None:
        found = read_list(cfg.newsletter.recipients)
    else:
        found = [
            Recipient(check_address(a, "[newsletter] to"), n)
            for n, a in getaddresses(list(cfg.newsletter.to))
        ]
    if not found:
        raise RecipientError(
            "no recipient: give --to ADDRESS, or `recipients` or `to` in [newsletter]"
        )
    unique: dict[str, Recipient] = {}
    for r in found:
        unique.setdefault(r.key, r)
    return list(unique.values())


def read_list(path: Path) -> list[Recipient]:
    """A CSV file with an `email` column and an optional `name` one (a header line first)."""
    try:
        if path.stat().st_size > MAX_LIST_BYTES:
            raise RecipientError(f"{path}: larger than 50 MB; is it the recipient list?")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RecipientError(f"{path}: no such recipient list (check `recipients`)") from None
    except UnicodeDecodeError:
        raise RecipientError(f"{path}: not UTF-8 text; save the list as UTF-8 CSV") from None
    except OSError as exc:
        raise RecipientError(f"{path}: cannot read the recipient list ({exc.strerror})") from None
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    with contextlib.suppress(csv.Error):  # one column, or too little to tell: plain CSV
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "email" not in columns:
        raise RecipientError(f"{path}:1: no `email` column (the first line names the columns)")
    found = []
    for number, row in enumerate(reader, start=2):
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if not any(values.values()):
            continue
        email = check_address(values.get("email", ""), f"{path}:{number}")
        found.append(Recipient(email, values.get("name", "")))
    return found


def suppression_path(cfg: Config) -> Path | None:
    """The suppression list: `unsubscribed` in [newsletter], else unsubscribed.txt beside
    feeds.toml."""
    if cfg.newsletter.unsubscribed is not None:
        return cfg.newsletter.unsubscribed
    return cfg.path.parent / SUPPRESSION_NAME if cfg.path is not None else None


def suppressed(cfg: Config) -> set[str]:
    """The addresses never to send to, case-folded."""
    path = suppression_path(cfg)
    if path is None or not path.exists():
        return set()
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        # Sending on without it could reach someone who left: stop instead.
        raise RecipientError(f"{path}: cannot read the suppression list ({exc})") from None
    return {line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")}


def unsubscribe(cfg: Config, addresses: Iterable[str]) -> tuple[Path, list[str]]:
    """Add `addresses` to the suppression list (written whole, atomically); returns the list's
    path and the addresses that were new to it."""
    path = suppression_path(cfg)
    if path is None:
        raise RecipientError("no feeds.toml: give --config, or set `unsubscribed` in [newsletter]")
    known = suppressed(cfg)
    new = []
    for address in addresses:
        address = check_address(address, "unsubscribe")
        if address.casefold() not in known:
            known.add(address.casefold())
            new.append(address)
    if not new:
        return path, []
    try:
        old = path.read_text(encoding="utf-8-sig") if path.exists() else ""
        text = old + ("" if not old or old.endswith("\n") else "\n")
        text += "".join(f"{a}\n" for a in new)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except OSError as exc:
        raise RecipientError(
            f"{path}: cannot write the suppression list ({exc.strerror})"
        ) from None
    return path, new
