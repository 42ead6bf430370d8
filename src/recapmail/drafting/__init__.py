"""Opt-in drafting by the team's own language model, every draft checked before it is used.

`draft_texts` asks the endpoint of `[llm]` for each text (concurrently, at most `concurrency`
at a time), or takes the answer kept from an earlier run; guard.py accepts or refuses each.
Nothing here raises for the endpoint's sake: an endpoint that is down, slow, busy or garbled
gives a note that says why, and the extractive text stays.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from recapmail.config import Config
from recapmail.drafting.guard import Refused, Written, accept
from recapmail.drafting.prompt import Material, messages

if TYPE_CHECKING:
    from recapmail.state import State

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Note:
    """Who wrote one text: the model, or recapmail (and why the model's draft was not used)."""

    key: str
    what: str
    by: str  # "model" or "recapmail"
    reason: str = ""

    @property
    def warning(self) -> str:
        return f"{self.what}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Drafted:
    """The texts the model wrote and were accepted, by Material.key, and a note for each text."""

    texts: tuple[tuple[str, Written], ...] = ()
    notes: tuple[Note, ...] = ()

    def get(self, key: str) -> Written | None:
        return next((w for k, w in self.texts if k == key), None)

    @property
    def warnings(self) -> tuple[Note, ...]:
        return tuple(n for n in self.notes if n.by != "model")


def draft_texts(
    materials: Sequence[Material], cfg: Config, state: State | None, *, refresh: bool = False
) -> Drafted:
    """Each material's draft, checked; one warning logged for each text the model did not write.
    `refresh` asks the model again instead of taking the kept answers."""
    from recapmail.drafting import cache
    from recapmail.drafting.client import EndpointError, complete

    llm = cfg.llm
    if llm is None or not materials:
        return Drafted()
    prompts = {m.key: messages(m, cfg) for m in materials}
    keys = {m.key: cache.answer_key(llm.model, prompts[m.key]) for m in materials}
    kept = {} if refresh else cache.cached(state, keys.values())
    failed = threading.Event()  # once the endpoint failed, the texts still waiting are not asked
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}

    def ask(m: Material) -> None:
        if keys[m.key] in kept:
            answers[m.key] = kept[keys[m.key]]
            return
        if failed.is_set():
            errors[m.key] = "model not asked: the endpoint failed on another text"
            return
        try:
            answers[m.key] = complete(llm, prompts[m.key])
        except EndpointError as exc:
            failed.set()
            errors[m.key] = f"model draft not used: {llm.base_url} {exc}"

    with ThreadPoolExecutor(max_workers=min(llm.concurrency, len(materials))) as pool:
        list(pool.map(ask, materials))
    texts: list[tuple[str, Written]] = []
    notes: list[Note] = []
    for m in materials:
        reason = errors.get(m.key, "")
        if not reason:
            try:
                texts.append((m.key, accept(answers[m.key], m)))
            except Refused as exc:
                reason = f"model draft refused: {exc}"
        notes.append(Note(m.key, m.what, "recapmail" if reason else "model", reason))
        if reason:
            log.warning("%s: %s", m.what, reason)
    # Refused answers are kept too: asking again would give the same refusal.
    new = {keys[k]: a for k, a in answers.items() if keys[k] not in kept}
    cache.store(state, new, [keys[k] for k in answers if keys[k] in kept])
    return Drafted(texts=tuple(texts), notes=tuple(notes))
