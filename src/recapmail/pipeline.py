"""The stages put together: what each command does, as functions that return values."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from recapmail.config import Config
from recapmail.errors import ConfigError, StrictFailure
from recapmail.model import (
    Article,
    Cluster,
    Digest,
    Highlights,
    Period,
    Platform,
    Post,
    RunReport,
    SourceWarning,
)
from recapmail.text import slugify

if TYPE_CHECKING:
    from recapmail.drafting import Drafted
    from recapmail.sources.collect import Collected, Gathering
    from recapmail.state import State
    from recapmail.uptodate import Remembered

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
    allow_empty: bool = False,
    read_only: bool = False,
    refresh_llm: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RunReport:
    """The weekly job: collect every source, pick the period's items, render, write atomically
    a draft edition (editions.py). When nothing it is made from changed since the edition on
    disk was written (uptodate.py), it stops after the conditional GETs, unless `force`. With
    nothing to send it writes nothing, unless `allow_empty`. `read_only` (the preview's
    rebuilds): the state is read, never written. With `[llm]`, the model drafts what it may
    (drafting/); a draft it was refused is a warning, which `strict` counts once the edition
    is written; `refresh_llm` asks it again rather than taking the kept answers."""
    from recapmail.sources.collect import gather
    from recapmail.state import State
    from recapmail.uptodate import Freshness, remember

    started = time.monotonic()
    out_dir = out_root / period.label
    _refuse_missing_paths(cfg)
    if not read_only:
        from recapmail.output import tidy

        tidy(out_root)  # what a killed run left goes now, whether this run writes or not
    with State.open(cfg.state_path, read_only=read_only) as state:
        gathering = gather(cfg, state, offline=offline, progress=progress)
        freshness = Freshness.now(cfg, period, state, gathering.tokens())
        known = None if force or read_only else freshness.current(state, out_dir)
        if known is not None:
            return _up_to_date(known, gathering, period, out_dir, state, started)
        collected = _finish(gathering, strict, progress)
        digest = _pick(collected, period, cfg, state, force, progress)
        drafted = _draft_edition(digest, cfg, state, refresh=refresh_llm, progress=progress)
        digest = _with_model_warnings(digest, drafted)
        report = _report(digest, collected, period, out_dir)
        if not digest.items and not allow_empty:
            return _no_edition(report, state, period, out_dir, read_only, started)
        if progress is not None:
            progress(f"Rendering the newsletter and the posts into {out_dir}…")
        files = write_edition(digest, cfg, out_dir, drafted)
        if not read_only:
            refused = drafted is not None and bool(drafted.warnings)  # asked again next run
            key = freshness.key_after(state, clean=not collected.warnings and not refused)
            remember(state, out_dir, key, digest, drafts=collected.drafts)
    if strict and drafted is not None and drafted.warnings:
        note = drafted.warnings[0]
        raise StrictFailure(
            f"--strict: {len(drafted.warnings)} text(s) not drafted by the model, first "
            f"{note.warning}; the edition was written to {out_dir}"
        )
    return replace(report, files=files, elapsed=time.monotonic() - started)


# -- the steps of run_digest ------------------------------------------------------------------


def _refuse_missing_paths(cfg: Config) -> None:
    from recapmail.sources.collect import missing_paths

    for source in missing_paths(cfg):
        raise ConfigError(
            f"{cfg.path or 'config'}: source {source.name!r}: path {source.path} does not exist; "
            "fix `path`, or set enabled = false"
        )


def _up_to_date(
    known: Remembered, gathering: Gathering, period: Period, out_dir: Path, state: State,
    started: float,
) -> RunReport:  # fmt: skip
    """The edition on disk is what this run would write: said as its run summed it up."""
    return RunReport(
        label=period.label, out_dir=str(out_dir), files=known.files, items=known.items,
        shown=known.shown, written_at=known.written_at, checks=known.checks,
        elapsed=time.monotonic() - started, fetched=gathering.fetched,
        not_modified=gathering.not_modified, recent=gathering.recent,
        drafts=known.drafts, too_old=known.too_old,
        published_at=_published_at(state, period.label),
    )  # fmt: skip


def _finish(
    gathering: Gathering, strict: bool, progress: Callable[[str], None] | None
) -> Collected:
    """Every source read; with `strict`, a failed one stops the run before anything is written."""
    if progress is not None:
        progress("Reading the unchanged feeds and the local recaps…")
    collected = gathering.finish()
    if strict and collected.warnings:
        first = collected.warnings[0]
        raise StrictFailure(
            f"--strict: {len(collected.warnings)} source(s) failed, "
            f"first {first.source}: {first.reason}; nothing was written"
        )
    return collected


def _pick(
    collected: Collected, period: Period, cfg: Config, state: State, force: bool,
    progress: Callable[[str], None] | None,
) -> Digest:  # fmt: skip
    from recapmail.digest import build_digest  # not needed when up to date: imported now

    if progress is not None:
        progress(
            f"Picking the highlights of {period.label} from {len(collected.articles)} articles…"
        )
    return build_digest(
        collected.articles, period, cfg, state, force=force, warnings=collected.warnings,
        keys=collected.keys,
    )  # fmt: skip


def _report(digest: Digest, collected: Collected, period: Period, out_dir: Path) -> RunReport:
    return RunReport(
        label=period.label, out_dir=str(out_dir), files=(), items=len(digest.items),
        shown=len(digest.shown), digest=digest, fetched=collected.fetched,
        not_modified=collected.not_modified, recent=collected.recent, checks=digest.checks,
        drafts=collected.drafts, too_old=digest.too_old, published_at=digest.published_at,
    )  # fmt: skip


def _no_edition(
    report: RunReport, state: State, period: Period, out_dir: Path, read_only: bool,
    started: float,
) -> RunReport:  # fmt: skip
    """Nothing to send: no folder, and an older draft of this week removed (it would show
    items that went out since: stale text)."""
    from recapmail.editions import EDITION_FILE
    from recapmail.output import remove_folder

    removed = (out_dir / EDITION_FILE).is_file() and not read_only
    if removed:
        remove_folder(out_dir)
    return replace(
        report, out_dir="", elapsed=time.monotonic() - started,
        last=_last_published(state, period), removed=str(out_dir) if removed else None,
    )  # fmt: skip


def _draft_edition(
    digest: Digest,
    cfg: Config,
    state: State | None,
    *,
    refresh: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Drafted | None:
    """The model's drafts of the weekly post's hook and the intro line; None without [llm]."""
    if cfg.llm is None or not digest.shown:
        return None
    from recapmail.drafting import draft_texts
    from recapmail.drafting.texts import edition_materials

    if progress is not None:
        progress(f"Asking {cfg.llm.model} for drafts…")
    return draft_texts(edition_materials(digest, cfg), cfg, state, refresh=refresh)


def _with_model_warnings(digest: Digest, drafted: Drafted | None) -> Digest:
    if drafted is None or not drafted.warnings:
        return digest
    said = tuple(SourceWarning(source=n.what, reason=n.reason) for n in drafted.warnings)
    return replace(digest, warnings=(*digest.warnings, *said))


def _published_at(state: State, label: str) -> datetime | None:
    return next((e.published_at for e in state.published() if e.label == label), None)


def _last_published(state: State, period: Period) -> tuple[str, datetime] | None:
    from recapmail.digest import last_published

    last = last_published(state.published(), period)
    return (last.label, last.published_at) if last else None


def render_edition(
    digest: Digest, cfg: Config, label: str | None = None, drafted: Drafted | None = None
) -> dict[str, str | bytes]:
    """Every file of one edition, in memory: nothing is written until all of them rendered.
    The hidden `.edition.json` says what the draft holds, for publishing (editions.py);
    `label` names the edition (its folder's name; the period's label by default); `drafted`
    holds the model's accepted texts, and digest.json says which texts it wrote."""
    from recapmail.drafting.texts import notes_dict, rewriter, with_intro
    from recapmail.editions import EDITION_FILE, Draft, digest_sha, draft_json
    from recapmail.identity import identity_keys
    from recapmail.render.email import render_newsletter
    from recapmail.render.social import post_files, posts_for_digest
    from recapmail.serialize import digest_dict, dumps_digest_utf8

    newsletter = render_newsletter(digest, with_intro(cfg, drafted, digest.period.label), label)
    rewrite = rewriter(drafted) if drafted is not None else None
    posts = posts_for_digest(digest, cfg, cfg.social.platforms, rewrite=rewrite)
    social = post_files(posts)
    names = (*OUTPUT_FILES, *sorted(social))
    made_at = datetime.now(UTC).replace(microsecond=0)
    data = digest_dict(digest, names, newsletter=newsletter, generated_at=made_at, lazy=True)
    if drafted is not None:
        data["drafting"] = notes_dict(drafted)
    summary = dumps_digest_utf8(data)
    files: dict[str, str | bytes] = {
        "newsletter.html": newsletter.html,
        "newsletter.txt": newsletter.text,
        "newsletter.eml": newsletter.eml,
        "newsletter.mjml": newsletter.mjml,
        "digest.json": summary,
    }
    files.update(social)
    draft = Draft(
        label=label or digest.period.label,
        start=digest.since or digest.period.start,
        end=digest.period.end,
        made_at=made_at,
        items=tuple(
            (item.keys or identity_keys(item.highlights.article), item.highlights.article)
            for item in digest.items
        ),
        digest_sha=digest_sha(summary),
    )
    files[EDITION_FILE] = draft_json(draft)
    return files


def write_edition(
    digest: Digest, cfg: Config, out_dir: Path, drafted: Drafted | None = None
) -> tuple[str, ...]:
    from recapmail.output import write_folder

    files = render_edition(digest, cfg, label=out_dir.name, drafted=drafted)
    write_folder(out_dir, files)
    return tuple(name for name in files if not name.startswith("."))


# -- one-off commands --------------------------------------------------------------------------


def read_highlights(
    specs: Sequence[str], count: int = 5, cfg: Config | None = None
) -> list[Highlights]:
    """`recapmail highlights`: every article the specs name, in input order. With `cfg`, a
    recap under a configured `path` gets its link on the team's blog (the source's base_url)."""
    from recapmail.highlights import extract
    from recapmail.sources.resolve import load_sources

    articles = load_sources(specs)
    if cfg is not None:
        articles = [_linked(article, cfg) for article in articles]
    return [extract(article, count=count) for article in articles]


def _linked(article: Article, cfg: Config) -> Article:
    from recapmail.sources.files import recap_link

    if article.kind != "file" or article.url:
        return article
    where = Path(article.source).expanduser().resolve()
    for source in cfg.enabled_sources:
        if source.path is None or not source.base_url:
            continue
        root = source.path.expanduser().resolve()
        if where == root or where.is_relative_to(root):
            return replace(article, url=recap_link(article, source.base_url))
    return article


def run_newsletter(
    specs: Sequence[str], cfg: Config, out_root: Path, *, refresh_llm: bool = False
) -> RunReport:
    """A special edition from chosen articles, written to <out>/<date>-<slug of the title>/."""
    started = time.monotonic()
    from recapmail.digest import special_digest

    digest = special_digest(read_highlights(specs, cfg=cfg), cfg)
    drafted = None
    if cfg.llm is not None:
        from recapmail.state import State

        with State.open(cfg.state_path) as state:
            drafted = _draft_edition(digest, cfg, state, refresh=refresh_llm)
        digest = _with_model_warnings(digest, drafted)
    title_slug = slugify(digest.items[0].highlights.title if digest.items else digest.title)
    day = (digest.period.end - timedelta(days=1)).date().isoformat()
    out_dir = out_root / f"{day}-{title_slug}"
    files = write_edition(digest, cfg, out_dir, drafted)
    return RunReport(
        label=out_dir.name, out_dir=str(out_dir), files=files, items=len(digest.items),
        shown=len(digest.shown), digest=digest, elapsed=time.monotonic() - started,
        checks=digest.checks,
    )  # fmt: skip


def run_social(
    specs: Sequence[str],
    cfg: Config,
    platforms: Sequence[Platform],
    *,
    thread: bool = False,
    language: str | None = None,
    refresh_llm: bool = False,
) -> list[Post]:
    """Posts for each article named; articles about one event give one post for the event.
    Their frame is in `language`, else the newsletter's. With `[llm]`, the model drafts each
    post's hook and takeaways (drafting/)."""
    from recapmail.drafting.texts import post_rewriter
    from recapmail.highlights import cluster
    from recapmail.render.social import posts_for_article, posts_for_cluster

    items = read_highlights(specs, cfg=cfg)
    clusters, membership = cluster(items)
    groups: list[tuple[Highlights, Cluster | None, list[Highlights]]] = []
    done: set[str] = set()
    for h in items:
        cluster_id = membership.get(h.article.source)
        if cluster_id is None:
            groups.append((h, None, [h]))
        elif cluster_id not in done:
            done.add(cluster_id)
            event = next(c for c in clusters if c.id == cluster_id)
            members = [i for i in items if membership.get(i.article.source) == cluster_id]
            groups.append((h, event, members))
    rewrite = post_rewriter(groups, cfg, language, refresh=refresh_llm)
    posts: list[Post] = []
    for h, group, members in groups:
        if group is None:
            made = posts_for_article(
                h, cfg, platforms, thread=thread, language=language, rewrite=rewrite
            )
        else:
            made = posts_for_cluster(
                group, members, cfg, platforms, thread=thread, language=language, rewrite=rewrite
            )
        posts.extend(made)
    return posts
