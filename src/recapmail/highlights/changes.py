"""Labels for percentages of change: what rose or fell, not just "hausse" or "coûts".

"une baisse de 40 % de ses coûts de licence" -> "de baisse des coûts de licence"
"l'adoption est en hausse de 32 %"           -> "de hausse de l'adoption"
"650 participants, soit une hausse de 30 %"   -> "de participants en plus"
"a 25% gain in GPU utilisation"               -> "gain in GPU utilisation"
"cutting its licence costs by 40%"            -> "lower licence costs"
Each label reads after the value ("30 % de participants en plus") and stays short.
"""

from __future__ import annotations

import re

from recapmail.highlights.words import word_set

MAX_LABEL = 40
_RISE_FR = "hausse croissance augmentation progression gain bond"
_FALL_FR = "baisse réduction diminution recul économie économies chute"
_RISE_EN = "increase rise growth gain jump boost improvement"
_FALL_EN = "decrease drop decline cut reduction fall saving savings"
_FALLS = word_set(_FALL_FR + " " + _FALL_EN)
_CHANGES = word_set(" ".join((_RISE_FR, _FALL_FR, _RISE_EN, _FALL_EN)))
_CHANGE_FR = rf"(?:{'|'.join((_RISE_FR + ' ' + _FALL_FR).split())})"
_CHANGE_EN = rf"(?:{'|'.join((_RISE_EN + ' ' + _FALL_EN).split())})"
# "une hausse de 30 %", "en baisse de 12 %" — the change word just before the number.
_FR_BEFORE = re.compile(rf"\b(?P<change>{_CHANGE_FR})\s+(?:de|d')\s*$", re.IGNORECASE)
# "l'adoption est en hausse de" — the subject that changed.
_FR_SUBJECT = re.compile(
    r"(?P<subject>\b(?:l'|l’|le |la |les )[\w’'-]+(?: [a-zà-ÿ]+)?) (?:est|sont|a été|ont été|"
    r"était|étaient|reste|restent|est restée?s?|sont restée?s) "
    rf"en (?P<change>{_CHANGE_FR})\s+(?:de|d')\s*$",
    re.IGNORECASE,
)
# "la dynamique d'adoption, en hausse de 32 %": the thing before the comma changed.
_FR_APPOSITION = re.compile(
    rf"(?P<subject>[\w’'-]+(?: [\w’'-]+){{0,3}}),\s+en (?P<change>{_CHANGE_FR})\s+(?:de|d')\s*$",
    re.IGNORECASE,
)
# ", soit une hausse de", ", un chiffre en hausse de": the change of what was just counted.
_FR_AFTERTHOUGHT = re.compile(
    rf"(?:,|\bsoit)\s+(?:\w+\s+){{0,2}}?(?:une?\s+|en\s+){_CHANGE_FR}\s+(?:de|d')\s*$",
    re.IGNORECASE,
)
# "30 % de hausse", "a 25% gain in", "an increase of 30%".
_FR_AFTER = re.compile(rf"^\s*(?:de |d')(?P<change>{_CHANGE_FR})\b", re.IGNORECASE)
_EN_AFTER = re.compile(rf"^\s*(?P<change>{_CHANGE_EN})s?\b", re.IGNORECASE)
_EN_BEFORE = re.compile(rf"\b(?P<change>{_CHANGE_EN})s?\s+of\s*$", re.IGNORECASE)
# "cutting its licence costs by 40%", "grew revenue by 12%".
_EN_VERB = re.compile(
    r"\b(?P<verb>cut|cutting|cuts|reduc\w*|lower\w*|decreas\w*|increas\w*|rais\w*|boost\w*|"
    r"grow\w*|grew|improv\w*)\s+(?:(?:its|their|the|our|his|her)\s+)?(?P<object>[\w-]+(?: [\w-]+)?)"
    r"\s+by\s*$",
    re.IGNORECASE,
)
_UP_DOWN = re.compile(
    r"\b(?P<way>up|down)(?:\s+(?:nearly|almost|about|over|more than|some|roughly|around))?\s*$",
    re.IGNORECASE,
)
# "de ses coûts de licence": the object of the change, determiners folded to read on their own.
_FR_OBJECT = re.compile(
    r"^\s*(?:de |d'|d’)(?P<det>ses |leurs |les |sa |son |la |le |l'|l’|leur )?"
    r"(?P<noun>[a-zà-ÿ][\w-]*(?: (?:de |d')?[a-zà-ÿ][\w-]*)?)",
    re.IGNORECASE,
)
_EN_OBJECT = re.compile(
    r"^\s*(?:in|of)\s+(?:(?:the|its|their|our)\s+)?(?P<noun>[\w-]+(?: [a-z][\w-]*)?)",
    re.IGNORECASE,
)
_DETERMINER_FR = {
    "ses ": "des ", "leurs ": "des ", "les ": "des ", "sa ": "de la ", "la ": "de la ",
    "son ": "du ", "le ": "du ", "l'": "de l'", "l’": "de l'", "leur ": "de leur ",
}  # fmt: skip
_OBJECT_STOP = word_set(
    "par sur pour en dans avec depuis entre au aux à après avant et ou the a an on over since "
    "compared versus vs year years an ans année by for from to and with after"
)


def change_label(before: str, after: str, language: str, counted: str | None) -> str | None:
    """The label of a percentage that measures a change, or None when it is not one.

    `counted` is what an earlier figure of the sentence counts ("participants"): a change with
    no object of its own is about it.
    """
    if language == "fr":
        return _french(before, after, counted)
    return _english(before, after, counted)


def _french(before: str, after: str, counted: str | None) -> str | None:
    subject = _FR_SUBJECT.search(before[-80:])
    match = subject or _FR_BEFORE.search(before[-40:])
    rest = after
    if match is None:
        match = _FR_AFTER.match(after)
        if match is None:
            return None
        rest = after[match.end() :]
    change = match.group("change").lower()
    prefix = f"d'{change}" if change[0] in "aeéiou" else f"de {change}"
    if subject:
        return _fit(f"{prefix} {_french_of(subject.group('subject'))}", prefix)
    apposition = _FR_APPOSITION.search(before[-80:])
    if apposition:
        tail = re.split(r"\b(?=d'|d’|de )", apposition.group("subject"))[-1]
        if tail.startswith(("d'", "d’", "de ")):
            return _fit(f"{prefix} {tail}", prefix)
    obj = _FR_OBJECT.match(rest)
    if obj and not _weak(obj.group("noun")):
        det = _DETERMINER_FR.get((obj.group("det") or "").lower(), "de ")
        return _fit(f"{prefix} {det}{_trim(obj.group('noun'))}".replace("' ", "'"), prefix)
    if counted and _FR_AFTERTHOUGHT.search(before[-50:]):
        way = "en moins" if change in _FALLS else "en plus"
        return _fit(f"de {counted} {way}", prefix)
    return prefix


def _english(before: str, after: str, counted: str | None) -> str | None:
    verb = _EN_VERB.search(before[-60:])
    if verb:
        lower = verb.group("verb").lower().startswith(("cut", "reduc", "lower", "decreas"))
        return _fit(f"{'lower' if lower else 'higher'} {_trim(verb.group('object'))}", None)
    match = _EN_AFTER.match(after)
    rest = after[match.end() :] if match else ""
    if match is None:
        match = _EN_BEFORE.search(before[-30:])
        rest = after
    up_down = _UP_DOWN.search(before[-24:])
    if match is None and up_down is None:
        return None
    change = match.group("change").lower() if match else ""
    obj = _EN_OBJECT.match(rest)
    if change and obj and not _weak(obj.group("noun")):
        return _fit(f"{change} in {_trim(obj.group('noun'))}", change)
    fall = change in _FALLS or (up_down is not None and up_down.group("way").lower() == "down")
    if counted:
        return _fit(f"{'fewer' if fall else 'more'} {counted}", change or None)
    return change or ("decrease" if fall else "increase")


def is_bare_change(label: str) -> bool:
    """ "de hausse", "increase": a change that does not say what changed."""
    words = label.lower().replace("d'", "").split()
    return not words or all(w in _CHANGES or w == "de" for w in words)


def _french_of(subject: str) -> str:
    """ "l'adoption" -> "de l'adoption", "les ventes" -> "des ventes"."""
    for det, replacement in _DETERMINER_FR.items():
        if subject.lower().startswith(det):
            return replacement + subject[len(det) :]
    return "de " + subject


def _trim(noun: str) -> str:
    """A noun phrase without a trailing preposition or time word ("coûts de" -> "coûts")."""
    words = noun.split()
    while words and (words[-1].lower() in _OBJECT_STOP or words[-1].lower() in {"de", "d'"}):
        words.pop()
    return " ".join(words)


def _weak(noun: str) -> bool:
    first = noun.split()[0].lower() if noun.split() else ""
    return not first or first in _OBJECT_STOP or first[0].isdigit()


def _fit(label: str, fallback: str | None) -> str:
    label = " ".join(label.split())
    if len(label) <= MAX_LABEL:
        return label
    return fallback or label[: label.rfind(" ", 0, MAX_LABEL)]
