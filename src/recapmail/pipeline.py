"""The stages put together: what each command does, as functions that return values."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from recapmail.config import Config
from recapmail.errors import StrictFailure
from recapmail.model import (
    Digest,
    DigestItem,
    Highlights,
    Period,
    Platform,
    Post,
    RunReport,
)

OUTPUT_FILES = (
    "newsletter.html",
    "newsletter.txt",
    "newsletter.eml",
    "newsletter.mjml",
    "digest.json",
)


def run_digest(
    cfg: Config,
    period: Period,
    out_root: Path,
    *,
    offline: bool = False,
    strict: bool = False,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RunReport:
    """The weekly job: collect every source, pick the period's items, render, write atomically.
    When nothing it is made from changed since the edition on disk was written (uptodate.py),
    it stops after the conditional GETs, unless `force`."""
    from recapmail.sources.collect import gather
    from recapmail.state import State
    from recapmail.uptodate import current_edition, edition_inputs, edition_key, remember

    started = time.monotonic()
    out_dir = out_root / period.label
    with State.open(cfg.state_path) as state:
        gathering = gather(cfg, state, offline=offline, progress=progress)
        tokens = gathering.tokens()  # None once a source failed: never taken as up to date
        inputs = edition_inputs(cfg, period, tokens) if tokens is not None else None
        generation, bumps = state.generation(), state.own_bumps
        if inputs is not None and not force:
            known = current_edition(state, out_dir, edition_key(inputs, generation))
            if known is not None:
                return RunReport(
                    label=period.label, out_dir=str(out_dir), files=known.files, items=known.items,
                    shown=known.shown, written_at=known.written_at, checks=known.checks,
                    elapsed=time.monotonic() - started, fetched=gathering.fetched,
                    not_modified=gathering.not_modified, recent=gathering.recent,
                )  # fmt: skip
        from recapmail.digest import build_digest  # not needed when up to date: imported now

        if progress is not None:
            progress("Reading the unchanged feeds and the local recaps…")
        collected = gathering.finish()
        if strict and collected.warnings:
            first = collected.warnings[0]
            raise StrictFailure(
                f"--strict: {len(collected.warnings)} source(s) failed, "
                f"first {first.source}: {first.reason}; nothing was written"
            )
        if progress is not None:
            progress(
                f"Picking the highlights of {period.label} from {len(collected.articles)} articles…"
            )
        digest = build_digest(collected.articles, period, cfg, state, warnings=collected.warnings)
        if progress is not None:
            progress(f"Rendering the newsletter and the posts into {out_dir}…")
        files = write_edition(digest, cfg, out_dir)
        # Remembered when clean, and when no other run changed the state meanwhile.
        alone = state.generation() == generation + state.own_bumps - bumps
        clean = not collected.warnings and alone
        key = edition_key(inputs, state.generation()) if inputs is not None and clean else None
        remember(state, out_dir, key, digest)
    return RunReport(
        label=period.label,
        out_dir=str(out_dir),
        files=files,
        items=len(digest.items),
        shown=len(digest.shown),
        digest=digest,
        elapsed=time.monotonic() - started,
        fetched=collected.fetched,
        not_modified=collected.not_modified,
        recent=collected.recent,
        checks=digest.checks,
    )


def render_edition(digest: Digest, cfg: Config) -> dict[str, str | bytes]:
    """Every file of one edition, in memory: nothing is written until all of them rendered."""
    from recapmail.render.email import render_newsletter
    from recapmail.render.social import post_files, posts_for_digest
    from recapmail.serialize import digest_dict, dumps_digest

    newsletter = render_newsletter(digest, cfg)
    posts = posts_for_digest(digest, cfg, cfg.social.platforms)
    social = post_files(posts)
    names = (*OUTPUT_FILES, *sorted(social))
    files: dict[str, str | bytes] = {
        "newsletter.html": newsletter.html,
        "newsletter.txt": newsletter.text,
        "newsletter.eml": newsletter.eml,
        "newsletter.mjml": newsletter.mjml,
        "digest.json": dumps_digest(digest_dict(digest, names, newsletter=newsletter)),
    }
    files.update(social)
    return files


def write_edition(digest: Digest, cfg: Config, out_dir: Path) -> tuple[str, ...]:
    from recapmail.output import write_folder

    files = render_edition(digest, cfg)
    write_folder(out_dir, files)
    return tuple(files)


# -- one-off commands --------------------------------------------------------------------------


def read_highlights(specs: Sequence[str], count: int = 5) -> list[Highlights]:
    """`recapmail highlights`: every article the specs name, in input order."""
    from recapmail.highlights import extract
    from recapmail.sources.resolve import load_sources

    return [extract(article, count=count) for article in load_sources(specs)]


def run_newsletter(specs: Sequence[str], cfg: Config, out_root: Path) -> RunReport:
    """A special edition from chosen articles, written to <out>/<date>-<slug of the title>/."""
    started = time.monotonic()
    digest = edition_digest(read_highlights(specs), cfg)
    title_slug = slugify(digest.items[0].highlights.title if digest.items else digest.title)
    day = (digest.period.end - timedelta(days=1)).date().isoformat()
    out_dir = out_root / f"{day}-{title_slug}"
    files = write_edition(digest, cfg, out_dir)
    return RunReport(
        label=digest.period.label, out_dir=str(out_dir), files=files, items=len(digest.items),
        shown=len(digest.shown), digest=digest, elapsed=time.monotonic() - started,
        checks=digest.checks,
    )  # fmt: skip


def run_social(
    specs: Sequence[str],
    cfg: Config,
    platforms: Sequence[Platform],
    *,
    thread: bool = False,
) -> list[Post]:
    """Posts for each article named; articles about one event give one post for the event."""
    from recapmail.highlights import cluster
    from recapmail.render.social import posts_for_article, posts_for_cluster

    items = read_highlights(specs)
    clusters, membership = cluster(items)
    posts: list[Post] = []
    done: set[str] = set()
    for h in items:
        cluster_id = membership.get(h.article.source)
        if cluster_id is None:
            posts.extend(posts_for_article(h, cfg, platforms, thread=thread))
        elif cluster_id not in done:
            done.add(cluster_id)
            c = next(c for c in clusters if c.id == cluster_id)
            members = [i for i in items if membership.get(i.article.source) == cluster_id]
            posts.extend(posts_for_cluster(c, members, cfg, platforms, thread=thread))
    return posts


def edition_digest(items: Sequence[Highlights], cfg: Config) -> Digest:
    """A digest of exactly these articles, in the order given, for a special edition."""
    from recapmail.highlights import cluster

    clusters, membership = cluster(items, language=cfg.newsletter.language)
    dates = [h.article.published for h in items if h.article.published]
    last = max(dates) if dates else datetime.now(UTC).replace(hour=0, minute=0, second=0)
    first = min(dates) if dates else last
    start = first.replace(hour=0, minute=0, second=0, microsecond=0)
    end = last.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    period = Period(
        start=start,
        end=end,
        label=f"{start.date().isoformat()}_{(end - timedelta(days=1)).date().isoformat()}",
        timezone=cfg.newsletter.timezone,
    )
    limit = cfg.newsletter.max_items
    return Digest(
        period=period,
        title=cfg.newsletter.title,
        language=cfg.newsletter.language,
        items=tuple(
            DigestItem(h, cluster=membership.get(h.article.source), shown=i < limit)
            for i, h in enumerate(items)
        ),
        clusters=clusters,
        warnings=(),
    )


def slugify(text: str, max_length: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "edition"
