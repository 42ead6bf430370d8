"""Feed bodies parsed in a helper process while this one keeps fetching.

A week of 200 feeds is CPU-bound on one core: parsing and converting 10,000 entries costs
~0.8 s, the network loop ~0.5 s, and both want the GIL. On Linux a forked helper (forked
before any socket or thread exists, so it inherits nothing in use) parses each body as it
arrives and also encodes what the state keeps of it; sending the parsed articles back costs
~6 µs each. Once the helper has a few bodies waiting, this process parses the next one
itself rather than wait idle. Where fork is unavailable, on one core, or once the helper has
died, bodies are parsed here as before: same results, only slower.
"""

from __future__ import annotations

import logging
import os
import signal
from concurrent.futures import Executor, Future
from dataclasses import dataclass

from recapmail.serialize import encode_parsed
from recapmail.sources.feeds import ParsedFeed, parse_feed

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True, slots=True)
class FeedJob:
    """One body to parse, with what parse_feed needs to know about its source."""

    data: bytes
    where: str
    base_url: str | None
    name: str
    tags: tuple[str, ...]
    language: str | None


@dataclass(frozen=True, slots=True)
class ParsedBody:
    feed: ParsedFeed
    encoded: bytes  # the articles as State.store_parsed keeps them


def parse_job(job: FeedJob) -> ParsedBody:
    """Runs in the helper (or here): SourceError travels back through the future."""
    feed = parse_feed(
        job.data, job.where, base_url=job.base_url, name=job.name, tags=job.tags,
        language=job.language,
    )  # fmt: skip
    return ParsedBody(feed, encode_parsed(feed.articles, feed.warnings))


def _warm_up(parent: int) -> None:
    """In the helper: die with the parent. The parsers are imported by the first body, not
    before: a run whose feeds all answer 304 has no use for them (0.1 s of CPU).

    Ctrl-C is the parent's to handle: a terminal sends it to the helper too, which would
    otherwise die printing a traceback of its own. The parent ends it (close(), or its death)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # blocked by _fork_pool around the fork
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    """A forked helper holds both ends of its job pipe, so it never sees EOF: a parent killed
    with SIGKILL would leave it blocked forever. Linux can send it SIGKILL when the parent goes."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)  # this process's symbols, libc's among them
        # (not ctypes.util.find_library("c"): it runs ldconfig, 30 ms)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


class FeedParser:
    """submit() returns a future of parse_job(); close() ends the helper."""

    BACKLOG = 4  # measured: 2.9 s median first run against 3.4 s with no limit

    def __init__(self, helpers: int | None = None) -> None:
        if helpers is None:
            helpers = min((os.cpu_count() or 1) - 1, 4)
        self._pool: Executor | None = None
        self._waiting: list[Future[ParsedBody]] = []
        if helpers >= 1:
            self._pool = _fork_pool(helpers)

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    def submit(self, job: FeedJob) -> Future[ParsedBody]:
        """To the helper, unless it already has `BACKLOG` bodies waiting: then this process,
        otherwise idle until they are done, parses this one itself."""
        if self._pool is not None:
            self._waiting = [f for f in self._waiting if not f.done()]
            if len(self._waiting) < self.BACKLOG:
                try:
                    future = self._pool.submit(parse_job, job)
                except RuntimeError:  # BrokenProcessPool: the helper died (OOM, crash)
                    log.debug("the parsing process is gone; parsing here", exc_info=True)
                    self._pool = None
                else:
                    self._waiting.append(future)
                    return future
        return self.here(job)

    @staticmethod
    def here(job: FeedJob) -> Future[ParsedBody]:
        done: Future[ParsedBody] = Future()
        try:
            done.set_result(parse_job(job))
        except Exception as exc:
            done.set_exception(exc)
        return done

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _fork_pool(helpers: int) -> Executor | None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("fork")
    # Ctrl-C is held while forking: in the parent it would land in an at-fork hook, where
    # Python prints and forgets it (the run went on), and in a helper not yet set to ignore it
    # it would print a traceback. Held, it is raised here as soon as the helpers exist.
    mask = hasattr(signal, "pthread_sigmask")
    if mask:
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    pool = None
    try:
        pool = ProcessPoolExecutor(
            helpers, mp_context=context, initializer=_warm_up, initargs=(os.getpid(),)
        )
        # The first submit forks every helper: now, while this process has no socket, event
        # loop or thread of its own (not waiting for it: the helper warms up while we fetch).
        pool.submit(int)
    finally:
        try:
            if mask:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a held Ctrl-C raises here
        except BaseException:
            if pool is not None:  # nobody else would end it
                pool.shutdown(wait=True, cancel_futures=True)
            raise
    return pool
