"""Key numbers and what they count, in French and English formats.

"1 200 participants", "1,200+ attendees", "+32 %", "$24.81 billion", "15th anniversary", "3-day",
"près d'un million de contributions": the value as written, the number as a float and the label
taken around it. Dates, years, times, versions and identifiers (H100, Qwen3-8B) are not figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from recapmail.highlights.changes import change_label, is_bare_change
from recapmail.highlights.words import word_set
from recapmail.model import Figure

_GROUPED = r"\d{1,3}(?:(?:[ \u00a0\u202f]\d{3}(?!\d))+|(?:,\d{3}(?!\d))+|(?:\.\d{3}(?![\d,]))+)"
_NUMBER = rf"(?:{_GROUPED}(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
NUMBER = _NUMBER  # a number as written in either language: drafting/guard.py reads drafts with it
_MULTIPLIERS = {
    "k": 1e3, "thousand": 1e3, "thousands": 1e3, "mille": 1e3, "milliers": 1e3,
    "m": 1e6, "million": 1e6, "millions": 1e6, "md": 1e9, "mds": 1e9, "milliard": 1e9,
    "milliards": 1e9, "b": 1e9, "bn": 1e9, "billion": 1e9, "billions": 1e9,
    "trillion": 1e12, "trillions": 1e12, "hundred": 1e2, "hundreds": 1e2, "cent": 1e2,
    "cents": 1e2, "dozen": 12, "douzaine": 12,
}  # fmt: skip
_WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20,
    "trente": 30, "quarante": 40, "cinquante": 50,
}  # fmt: skip
_FIGURE = re.compile(
    r"(?<![\w.,/#@\-–])"
    r"(?P<prefix>[+\-−~≈]\s?|[$€£]\s?)?"
    rf"(?P<num>{_NUMBER})"
    r"(?:(?P<ord>st|nd|rd|th|e|ème|eme|er|re)|(?P<glued>min|ms|h|s|j|GB|Go|Mo|MB|To|TB|Gbps|GHz|x))?"
    r"(?P<mult>\s?(?:k|K|M|Md|Mds|bn|B|[Bb]illions?|[Mm]illions?|[Mm]illiards?|[Tt]housands?"
    r"|[Tt]rillions?|milliers)(?![\w]))?"
    r"(?P<plus>\+)?"
    r"(?P<pct>\s?%|\s(?:percent|per cent|pour\s?cent|pts?|points?)(?!\w))?"
    r"(?P<cur>\s?(?:€|\$|euros?(?!\w)|dollars?(?!\w)|USD(?!\w)|EUR(?!\w)))?"
    r"(?P<unit>-[a-zA-Zéè]+)?"
    r"(?![\w+]|[.,]\d|\s?[-–]\s?\d)"
)
_WORDS_FIGURE = re.compile(
    r"(?<![\w'])(?P<approx>(?:près|plus|moins) d'|(?:about|over|nearly|almost|more than|around|"
    r"some|environ|presque|quelque|plus de|près de) )?"
    r"(?P<words>(?:a|an|one|un|une)\s+(?:hundred|thousand|million|billion|trillion|dozen|mille|"
    r"million|milliard|centaine|douzaine)s?|" + "|".join(_WORD_NUMBERS) + r")"
    r"(?P<unit>-[a-zA-Zéè]+)?(?!\w)",
    re.IGNORECASE,
)
_APPROX = re.compile(
    r"(?:over|more than|above|nearly|almost|approximately|about|around|at least|some|upwards of|"
    r"plus de|près de|environ|au moins|presque|quelque|approximativement|plus d'|près d'|"
    r"moins de|moins d'|less than|fewer than|up to|jusqu'à)\s*$",
    re.IGNORECASE,
)
_MONTHS = (
    r"jan(?:vier|uary)?|f[ée]v(?:rier)?|feb(?:ruary)?|mars?|march|avr(?:il)?|apr(?:il)?|mai|may|"
    r"juin|june?|juil(?:let)?|july?|ao[uû]t|aug(?:ust)?|sept(?:embre|ember)?|oct(?:obre|ober)?|"
    r"nov(?:embre|ember)?|d[ée]c(?:embre|ember)?"
)
_MONTH_AFTER = re.compile(
    rf"^\s*(?:(?:et|and|to|au|[-–])\s*\d{{1,2}}(?:st|nd|rd|th|er)?\s*)?(?:{_MONTHS})\b", re.I
)
_MONTH_BEFORE = re.compile(
    rf"\b(?:{_MONTHS}|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)\s*(?:the\s*)?$",
    re.IGNORECASE,
)
_VERSION_BEFORE = re.compile(
    r"(?:version|release|v|kubernetes|python|java|openstack|api|ubuntu|debian)\s*$", re.I
)
# "Kubernetes 1.21", "v1.14", "supprimé en 1.25", "OpenStack 2026.1": a release, labelled as one.
_VERSION = re.compile(r"(?<![\w.,/#@\-–])v?(?P<num>\d{1,4}\.\d{1,2}(?:\.\d{1,3})?)(?![\w%]|[.,]\d)")
_DOTTED = re.compile(r"\d\.\d")
_PRODUCTS = (
    "Kubernetes", "OpenStack", "Python", "Ubuntu", "Debian", "Ceph", "Linux", "Proxmox VE",
    "Proxmox", "Helm", "Terraform", "Cilium", "Istio", "Argo CD", "Flux", "Java", "Go", "Rust",
    "Node.js", "PostgreSQL", "Django", "Ansible", "OpenShift", "RHEL", "Fedora", "vSphere",
    "Kata Containers", "StarlingX", "Zuul", "Kolla", "Nova", "Neutron", "Cinder",
)  # fmt: skip
_PRODUCT_BEFORE = re.compile(
    r"(?:^|[\s(«\"'])(?P<product>" + "|".join(re.escape(p) for p in _PRODUCTS) + r")\s*$"
)
_VERSION_WORD = re.compile(
    r"(?:(?P<word>version|release|versions|releases)"
    r"|(?P<fr>\ben|\bla|\bde la|\bdès la|\bdepuis la))\s*$",
    re.IGNORECASE,
)
_LABEL_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\w'’\-]*")
_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\w’\-]*'?|\d[\w.,]*|[^\w\s]")
_STOP = word_set(
    "the a an of in on at to for from by with and or as is are was were be been has have had will "
    "can that which who this these its their our his her le la les l' de des du d' un une et ou en "
    "au aux à a été ont sont est était dans sur par pour avec qui que dont ce cet cette ces son sa "
    "ses leur leurs nos notre vos votre than over more plus moins près environ about up down sur "
    "present présents présentes here there onsite issus issues venus venant from across within "
    "per par chaque each every between entre during pendant since depuis nearly almost another "
    "approximately around roughly quasiment autre while whereas mais alors tandis but "
    "entièrement notamment seulement désormais uniquement actuellement principalement "
    "directement totalement également déjà encore aussi ensemble fully entirely only already "
    "now still together spent vers aujourd aujourd'hui"
)
_VERBS = word_set(
    "came come gathered joined attended took made met participated grew increased rose "
    "reached reported showed said was were are is have has had represent represents representing "
    "working using attending worldwide globally ont sont étaient atteint atteignent réunis réunit "
    "participé participaient venus ont inscrits recognized celebrated"
)
_COUNT_NOUNS = (
    "participant", "attendee", "people", "personne", "visit", "inscri", "registr", "countr",
    "pays", "member", "membre", "session", "talk", "conf", "speaker", "intervenant", "sponsor",
    "exposant", "exhibitor", "contribut", "project", "projet", "organi", "compan", "entreprise",
    "team", "équipe", "user", "utilisateur", "develop", "développeur", "customer", "client",
    "node", "cloud", "core", "server", "serveur", "view", "vue", "episode", "épisode", "download",
    "téléchargement", "star", "commit", "line", "ligne", "workshop", "atelier", "demo", "démo",
    "keynote", "track", "employee", "salarié", "engineer", "ingénieur", "expert", "citi", "ville",
    "edition", "édition", "request", "requête", "gpu", "table", "anniversa", "partner",
    "partenaire", "provider", "fournisseur", "startup", "student", "étudiant", "leader", "viewer",
    "spectateur", "hackathon", "meetup", "stand", "booth", "administrator", "admin",
    "machine", "vm", "instance", "container", "conteneur", "cluster", "pod", "application",
    "site", "datacenter", "datacentre", "centre", "center", "collectivit", "operator",
    "opérateur", "hébergeur", "installation", "responsable", "manager", "architect",
    "consultant", "décideur",
)  # fmt: skip
_TIME_UNITS = (
    "minute", "second", "seconde", "hour", "heure", "day", "jour", "week", "semaine", "month",
    "mois", "year", "an", "année", "h", "min", "ms", "s",
)  # fmt: skip
_MEASURES = frozenset({"GB", "Go", "Mo", "MB", "To", "TB", "Gbps", "GHz", "x"})
_DETERMINERS = word_set("the its their our his her a an le la les l' son sa ses leur leurs")
MAX_FIGURES = 8
_CONTEXT = 200  # characters of a sentence read on each side of a number
MAX_RELEASES = 3  # a release note names many versions; the reader needs the new and the next


def phrase(figure: Figure) -> str:
    """The figure in words, as its sentence puts it when it can: "près d'un million de
    contributions", "a million of them", not "près d'un million contributions"."""
    if figure.label:
        linked = re.search(
            rf"{_loose(figure.value)}(\s+(?:de|d'|d’|of)\s*){re.escape(figure.label)}\b",
            figure.sentence,
            re.IGNORECASE,
        )
        if linked:
            link = linked.group(1).strip()
            space = "" if link.endswith(("'", "’")) else " "
            return f"{figure.value} {link}{space}{figure.label}"
    return f"{figure.value} {figure.label}".strip()


def _loose(value: str) -> str:
    """A pattern for the value as the sentence wrote it ("1 000" was "1000", "8,5" was "8.5")."""
    parts = re.split(r"[ \u00a0\u202f,.]", value)
    return r"[ \u00a0\u202f,.]?".join(re.escape(part) for part in parts)


def find_figures(sentences: Sequence[str], language: str) -> tuple[Figure, ...]:
    """The figures a reader should see, most telling first (at most MAX_FIGURES)."""
    return select_figures([figures_in(sentence, language) for sentence in sentences])


def select_figures(per_sentence: Sequence[Sequence[tuple[float, Figure]]]) -> tuple[Figure, ...]:
    """Figures found sentence by sentence -> the best ones, each (number, label) once."""
    scored = [
        (score, index, figure)
        for index, found in enumerate(per_sentence)
        for score, figure in found
    ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    kept: list[Figure] = []
    seen: set[tuple[float, str]] = set()
    releases = 0
    for score, _index, figure in scored:
        release = is_release(figure)
        key = (figure.number, "version" if release else _head(figure.label))
        if score < 1.5 or key in seen or (release and releases == MAX_RELEASES):
            continue
        releases += release
        seen.add(key)
        kept.append(figure)
        if len(kept) == MAX_FIGURES:
            break
    return tuple(kept)


def is_release(figure: Figure) -> bool:
    return figure.label.startswith("version") or figure.label.endswith("release")


def is_duration(figure: Figure) -> bool:
    """ "6 mois", "deux jours de conférences": how long, not how many."""
    return _is_time(figure.label)


def figures_in(sentence: str, language: str) -> list[tuple[float, Figure]]:
    """Every figure of one sentence with how telling it is."""
    return list(_figures_in(sentence, language))


def _figures_in(sentence: str, language: str) -> Iterable[tuple[float, Figure]]:
    for match in _FIGURE.finditer(sentence):
        figure = _digit_figure(sentence, match, language)
        if figure is not None:
            yield _score(figure, sentence[max(0, match.start() - 20) : match.start()]), figure
    for match in _WORDS_FIGURE.finditer(sentence):
        figure = _word_figure(sentence, match)
        if figure is not None:
            yield _score(figure, match.group("approx") or ""), figure
    if _DOTTED.search(sentence):
        yield from _versions(sentence, language)


def _versions(sentence: str, language: str) -> Iterable[tuple[float, Figure]]:
    """Releases named as such: "Kubernetes 1.21", "la v1.14", "supprimé en 1.25"."""
    for match in _VERSION.finditer(sentence):
        raw = match.group("num")
        before = sentence[max(0, match.start() - 30) : match.start()]
        product = _PRODUCT_BEFORE.search(before)
        word = _VERSION_WORD.search(before)
        glued_v = match.group(0).startswith("v")
        if not (product or word or glued_v):
            continue
        if word and word.group("fr") and not glued_v and not (language == "fr" and not product):
            continue  # "en 1.25" reads as a release only in French, where decimals take a comma
        bare = not product and not glued_v and not (word and word.group("word"))
        if bare and re.match(r"\s*(?:%|[€$£]|[A-Za-zÀ-ÿ])", sentence[match.end() :]):
            continue  # "en 1.5 jour", "de la 2.5 Go": a measure, not a release
        name = product.group("product") if product else ""
        if language == "fr":
            label = (
                (f"version d'{name}" if name[:1] in "AEIOUY" else f"version de {name}")
                if name
                else "version"
            )
        else:
            label = f"{name} release" if name else "release"
        try:
            number = (
                float(raw.rsplit(".", raw.count(".") - 1)[0]) if raw.count(".") > 1 else float(raw)
            )
        except ValueError:
            continue
        yield 2.0, Figure(value=raw, number=number, label=label, sentence=sentence)


def _digit_figure(sentence: str, match: re.Match[str], language: str) -> Figure | None:
    raw = match.group("num")
    number = parse_number(raw, language)
    if number is None:
        return None
    # bounded context: a 200 KB "sentence" of numbers must not copy itself for every figure
    before = sentence[max(0, match.start() - _CONTEXT) : match.start()]
    after = sentence[match.end() : match.end() + _CONTEXT]
    pct, cur = match.group("pct"), match.group("cur") or _currency(match.group("prefix"))
    ordinal, unit = match.group("ord"), match.group("unit")
    mult = (match.group("mult") or "").strip().lower()
    if mult:
        number *= _MULTIPLIERS.get(mult, 1.0)
    if match.group("prefix") and match.group("prefix").strip() in "-−":
        number = -number
    if _MONTH_AFTER.match(after) or (not pct and not cur and _MONTH_BEFORE.search(before[-14:])):
        return None
    if not pct and not cur and not mult and _VERSION_BEFORE.search(before[-12:]):
        return None
    value = match.group(0).strip()
    glued = match.group("glued")
    if language == "fr":
        value = value.replace(raw, french_number(raw, parse_number(raw, language)), 1)
    if glued:
        # "5min", "24GB": the unit is the label, the value the number ("5 min", "24 GB")
        value = value[: value.rindex(glued)]
        noun = _label_after(after)[0]
        label = glued if not noun or _is_time(glued) else f"{glued} {noun}"
        figure = Figure(value=value, number=float(number), label=label, sentence=sentence)
        return _with_qualifier(figure, before)
    if unit:
        # "3-day event": the span stays in the value; "256-GPU cluster": 256 of GPU cluster.
        word = unit[1:]
        noun = _label_after(after)[0]
        if word.lower().rstrip("s") in _TIME_UNITS:
            # a Title Case heading ("the 3-Day Event") capitalises common nouns too
            label = (noun.lower() if word[:1].isupper() else noun) or word.lower()
        else:
            value = value[: -len(unit)]
            label = f"{word} {noun}".strip() if noun else word
    elif pct:
        counted = _counted_before(before)
        label = change_label(before, after, language, counted) or _percent_label(before, after)
    elif cur or mult:
        label = _label_after(re.sub(r"^\s*(?:in|en|of)\s", " ", after))[0] or _label_before(before)
    else:
        label, _ = _label_after(after)
    if not label and not (pct or cur):
        return None
    is_year = 1900 <= abs(number) <= 2100 and raw.isdigit() and not (pct or cur or mult)
    if is_year and (not _counts(label) or label[:1].isupper()):
        return None
    if abs(number) < 2 and not (pct or cur or mult or ordinal):
        return None
    return _with_qualifier(
        Figure(value=value, number=float(number), label=label, sentence=sentence), before
    )


def _with_qualifier(figure: Figure, before: str) -> Figure:
    """ "plus de 1 200", "over 300": the qualifier is part of the figure ("1 200+" has its own)."""
    qualifier = _APPROX.search(before[-24:])
    if not qualifier or figure.value.endswith("+") or figure.value[:1] in "+-−~≈":
        return figure
    words = qualifier.group(0).strip().lower()
    joiner = "" if words.endswith("'") else " "
    return Figure(
        value=f"{words}{joiner}{figure.value}",
        number=figure.number,
        label=figure.label,
        sentence=figure.sentence,
    )


def french_number(raw: str, number: float | None) -> str:
    """A number as French writes it: "1000" and "1,200" -> "1 200" (narrow no-break space),
    "8.5" -> "8,5". Groupings already French (spaces) are kept as written."""
    if number is None or not 0 <= abs(number) < 1e15 or re.search(r"\d[ \u00a0\u202f]\d", raw):
        return raw
    whole = int(abs(number))
    if whole < 1000 and "." not in raw:
        return raw
    grouped = f"{whole:,}".replace(",", "\u202f") if whole >= 1000 else str(whole)
    fraction = round(abs(number) - whole, 6)
    if fraction:
        grouped += "," + f"{fraction:.6f}".rstrip("0").split(".")[1]
    return grouped


def _word_figure(sentence: str, match: re.Match[str]) -> Figure | None:
    words = match.group("words").lower().split()
    if len(words) == 2:
        number = _MULTIPLIERS.get(words[1].rstrip("s"), _MULTIPLIERS.get(words[1], 0.0))
        if words[1].startswith("centaine"):
            number = 100
    else:
        number = _WORD_NUMBERS[words[0]]
    if match.group("unit"):
        label = match.group("unit")[1:]
    else:
        label, _ = _label_after(sentence[match.end() :])
    if not label or not number or (len(words) == 1 and not (_counts(label) or _is_time(label))):
        return None
    value = (match.group("approx") or "") + match.group("words")
    return Figure(value=value, number=float(number), label=label, sentence=sentence)


def parse_number(raw: str, language: str) -> float | None:
    """ "1 200" and "1,200" -> 1200; "8,02" (fr) and "8.02" -> 8.02; "1.200" (fr) -> 1200."""
    text = re.sub(r"[ \u00a0\u202f]", "", raw)
    if "," in text and "." in text:
        text = (
            text.replace(",", "")
            if text.rfind(".") > text.rfind(",")
            else text.replace(".", "").replace(",", ".")
        )
    elif "," in text:
        groups = text.split(",")
        grouped = all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3
        text = (
            text.replace(",", "")
            if grouped and (language != "fr" or len(groups) > 2)
            else (text.replace(",", ".") if len(groups) == 2 else text.replace(",", ""))
        )
    elif "." in text:
        groups = text.split(".")
        if len(groups) > 2 or (language == "fr" and len(groups[1]) == 3 and len(groups[0]) <= 3):
            if not all(len(g) == 3 for g in groups[1:]):
                return None
            text = text.replace(".", "")
    try:
        return float(text)
    except ValueError:
        return None


def _currency(prefix: str | None) -> str | None:
    return prefix.strip() if prefix and prefix.strip() in "$€£" else None


def _label_after(after: str) -> tuple[str, bool]:
    """Up to two words after the number; "of/de" leads to the counted noun ("un million de X")."""
    tokens = _TOKEN.findall(after[:80])
    position = 0
    via_of = False
    while position < len(tokens) and tokens[position].lower() in {"of", "de", "d'", "des", "du"}:
        via_of = True
        position += 1
        while position < len(tokens) and tokens[position].lower() in _DETERMINERS:
            position += 1
    label: list[str] = []
    rest = tokens[position:]
    for index, token in enumerate(rest):
        lowered = token.lower()
        if not token[0].isalnum():
            break
        if lowered in _STOP or lowered in _VERBS or (label and lowered.endswith(("ing", "ed"))):
            break
        label.append(token.rstrip("'’"))
        if len(label) == 2 and not (token[:1].isupper() and index + 1 < len(rest)):
            break  # "140 private OpenStack clouds": a name inside the noun phrase
        if len(label) == 3:
            break
    if len(label) == 3 and not rest[2][:1].isalpha():
        label = label[:2]
    if len(label) > 1 and _is_time(label[0]):
        label = label[:1]  # "4 jours instaurée": the unit is what is counted
    # "60 hours of meetings", "10 ans d'expérience": the unit says little without what it measures
    if label and _is_time(label[0]) and len(label) == 1:
        after_unit = rest[1:4]
        if (
            len(after_unit) >= 2
            and after_unit[0].lower() in {"of", "de", "d'"}
            and after_unit[1][:1].isalpha()
            and after_unit[1].lower() not in _STOP
        ):
            label = [label[0], after_unit[0].lower(), after_unit[1]]
    return " ".join(label).replace("d' ", "d'"), via_of


def _label_before(before: str) -> str:
    clause = re.split(r"[,;:()]", before)[-1]
    words = _LABEL_WORD.findall(clause[-60:])
    label: list[str] = []
    for word in reversed(words):
        lowered = word.lower()
        if lowered in _STOP or lowered in _VERBS or lowered.endswith("ed"):
            if label:
                break
            continue
        label.insert(0, word)
        if len(label) == 3:
            break
    return " ".join(label)


def _counted_before(before: str) -> str | None:
    """What the sentence counts first, before a percentage: "650 participants venus de 14 pays,
    soit une hausse de 30 %" is about the participants (the countries only qualify them)."""
    for match in _FIGURE.finditer(before):
        if not match.group("pct") and not match.group("cur"):
            label, _ = _label_after(before[match.end() :])
            if label and _counts(label):
                return label
    return None


def _percent_label(before: str, after: str) -> str:
    label, via_of = _label_after(after)
    if label and (via_of or not _is_time(label)):
        return label
    return _label_before(before) or label


def _is_time(label: str) -> bool:
    first = label.lower().split()[0] if label else ""
    return first in _TIME_UNITS or first.rstrip("s") in _TIME_UNITS


def _head(label: str) -> str:
    words = label.lower().split()
    return words[-1].rstrip("s") if words else ""


def _counts(label: str) -> bool:
    return any(word.lower().startswith(_COUNT_NOUNS) for word in label.split())


def _score(figure: Figure, context: str) -> float:
    value = figure.value.lower()
    score = 0.0
    if "%" in value or "percent" in value or "pour" in value:
        # "30 % de participants en plus" tells more than "30 % de hausse"
        score += 1.5 if is_bare_change(figure.label) or _is_time(figure.label) else 3.0
    if any(sign in value for sign in "$€£") or "euro" in value or "dollar" in value:
        score += 3.0
    if any(word in value for word in ("million", "milliard", "billion", "thousand", "mille")):
        score += 1.5
    if _counts(figure.label) and not _is_time(figure.label):
        score += 2.5  # "deux jours de conférences" says how long, not how many conferences
    if value.endswith("+") or _APPROX.search(context):
        score += 1.0
    measured = len(figure.label.split()) == 3 and figure.label.split()[1] in {"of", "de", "d'"}
    if _is_time(figure.label):
        # durations are key figures of this field: "207 jours pour détecter", "en 6 mois"
        score += 1.5 + (0.5 if measured else 0.0)
        anniversary = "anniv" in figure.sentence.lower() or re.search(
            r"\b(?:ans|years?) (?:de|d'|of)\b", figure.sentence.lower()
        )
        score += 1.0 if anniversary else 0.0
    elif figure.label.split(" ")[0] in _MEASURES:
        score += 1.5
    if re.search(r"\d(?:st|nd|rd|th|e|ème|er)\b", value) and not _counts(figure.label):
        score -= 1.0
    if figure.label[:1].isupper() and not _counts(figure.label):
        score -= 0.5
    if abs(figure.number) >= 10:
        score += min(1.5, math.log10(abs(figure.number)) / 3)
    if re.search(r"\d-[a-zA-Zéè]+$", value):  # "3-day", "two-day": how long the event ran
        score += 1.0
    return score + (0.5 if figure.label else -0.5)
