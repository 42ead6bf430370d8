"""What a figure counts: the words around its number ("1 200 participants", "30 % de hausse")."""

from __future__ import annotations

import re

from recapmail.highlights.numbers import FIGURE
from recapmail.highlights.words import word_set

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
    "now still together spent vers aujourd aujourd' aujourd'hui se s' ne n'"
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
TIME_UNITS = (
    "minute", "second", "seconde", "hour", "heure", "day", "jour", "week", "semaine", "month",
    "mois", "year", "an", "année", "h", "min", "ms", "s",
)  # fmt: skip
MEASURES = frozenset({"GB", "Go", "Mo", "MB", "To", "TB", "Gbps", "GHz", "x"})
_RATE = re.compile(
    r"\s?/\s?(mois|an|année|jour|semaine|heure|month|year|day|week|hour|user|utilisateur)\b",
    re.IGNORECASE,
)
_ENGLISH_RATES = word_set("month year day week hour user")
_PRONOMINAL = word_set("se s' ne n'")
_DETERMINERS = word_set("the its their our his her a an le la les l' son sa ses leur leurs")


def label_after(after: str) -> tuple[str, bool]:
    """Up to two words after the number; "of/de" leads to the counted noun ("un million de X")."""
    rate = _RATE.match(after)
    if rate:  # "15 000 $/mois": a cost per month
        unit = rate.group(1).lower()
        return (f"per {unit}" if unit in _ENGLISH_RATES else f"par {unit}"), False
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
    if len(label) > 1 and is_time(label[0]):
        label = label[:1]  # "4 jours instaurée": the unit is what is counted
    # "60 hours of meetings", "10 ans d'expérience": the unit says little without what it measures
    if label and is_time(label[0]) and len(label) == 1:
        after_unit = rest[1:4]
        if (
            len(after_unit) >= 2
            and after_unit[0].lower() in {"of", "de", "d'"}
            and after_unit[1][:1].isalpha()
            and after_unit[1].lower() not in _STOP
        ):
            label = [label[0], after_unit[0].lower(), after_unit[1]]
    return " ".join(label).replace("d' ", "d'"), via_of


def label_before(before: str) -> str:
    clause = re.split(r"[,;:()]", before)[-1]
    words = _LABEL_WORD.findall(clause[-60:])
    label: list[str] = []
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        lowered = word.lower()
        if not label and index and words[index - 1].lower() in _PRONOMINAL:
            continue  # "le budget mensuel se situe entre…": the verb, then what it is about
        if lowered in _STOP or lowered in _VERBS or lowered.endswith("ed"):
            if label:
                break
            continue
        label.insert(0, word)
        if len(label) == 3:
            break
    return " ".join(label)


def counted_before(before: str) -> str | None:
    """What the sentence counts first, before a percentage: "650 participants venus de 14 pays,
    soit une hausse de 30 %" is about the participants (the countries only qualify them)."""
    for match in FIGURE.finditer(before):
        if not match.group("pct") and not match.group("cur"):
            label, _ = label_after(before[match.end() :])
            if label and counts(label):
                return label
    return None


def percent_label(before: str, after: str) -> str:
    label, via_of = label_after(after)
    if label and (via_of or not is_time(label)):
        return label
    return label_before(before) or label


def is_time(label: str) -> bool:
    first = label.lower().split()[0] if label else ""
    return first in TIME_UNITS or first.rstrip("s") in TIME_UNITS


def head(label: str) -> str:
    words = label.lower().split()
    return words[-1].rstrip("s") if words else ""


def counts(label: str) -> bool:
    return any(word.lower().startswith(_COUNT_NOUNS) for word in label.split())
