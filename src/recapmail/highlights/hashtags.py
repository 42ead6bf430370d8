"""Hashtags in the order an editor would post them: the event, the projects and companies, the
topics; places and acronyms the article spells out in passing come last.

The event keeps its full name when that makes a readable tag (#CloudLibreSummit2025); a long one
is tagged by its brand, the way people tag it (#KubeCon, not #KubeConCloudNativeConNorthAmerica).

`hashtag` is the one spelling of a tag, used for the ★ JSON and for the posts alike: accents
dropped ("œuvre" -> #Oeuvre), elisions dropped ("l'OpenInfra" -> #OpenInfra), the field's own
spellings from a curated table (#OpenStack, #KubeCon, #CNCF), never a code token nor a bare two- or
three-letter acronym the table does not know.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from recapmail.highlights.keywords import EVENT_WORDS, MAX_HASHTAGS
from recapmail.highlights.words import FIRST_NAMES
from recapmail.text import fold, visible

MAX_HASHTAG = 28  # longer tags read as noise: #KubeConCloudNativeConNorthAmerica
# The field's tags as people write them; the key is the tag folded to lowercase ASCII.
KNOWN_TAGS = {
    tag.lower(): tag
    for tag in (
        "OpenStack", "Kubernetes", "K8s", "KubeCon", "CloudNativeCon", "CNCF", "OpenInfra",
        "OpenInfraSummit", "OpenInfraDays", "Ceph", "KCD", "KCDFrance", "LinuxFoundation",
        "OpenSource", "CloudNative", "DevOps", "GitOps", "FinOps", "SRE", "eBPF", "Cilium",
        "ArgoCD", "Flux", "Helm", "Istio", "Envoy", "Prometheus", "Grafana", "OpenTelemetry",
        "Terraform", "OpenTofu", "Ansible", "Proxmox", "ProxmoxVE", "vSphere", "VMware",
        "OpenShift", "StarlingX", "KataContainers", "Zuul", "Kolla", "Nova", "Neutron", "Cinder",
        "Swift", "Ironic", "Octavia", "Magnum", "Manila", "OVHcloud", "OVH", "Scaleway",
        "Outscale", "IBM", "AWS", "GCP", "AI", "IA", "LLM", "GPU", "OCI", "API", "FOSDEM",
        "PTG", "SecNumCloud", "CloudSouverain", "SouveraineteNumerique", "Linux", "Debian",
        "Ubuntu", "Python", "Rust", "Golang", "WebAssembly", "Wasm", "Docker", "Podman",
        "containerd", "Rook", "Longhorn", "MinIO", "PostgreSQL", "Kafka", "Keycloak", "Vault",
        "Crossplane", "Backstage", "Kyverno", "Falco", "Sigstore", "Harbor", "Knative",
        "KubeVirt", "Kubeflow", "vLLM", "Ollama", "GitLab", "GitHub", "Gerrit",
    )
}  # fmt: skip
_TAG_TEXT = re.compile(r"[\w][\w \-'’.+&]{0,60}")
_ELISION = re.compile(r"(?i)\b(?:[cdjlmnst]|qu)['’](?=\w)")
# What only code spells: snake_case, a file name (secret.xml), a flag, a header (X-Auth-Token).
_CODE_TOKEN = re.compile(
    r"_|\w\.(?:xml|json|ya?ml|conf|cfg|ini|toml|sh|py|txt|log|keyring|key|pem|md|rst|html|env|lock|"
    r"csv|tf|j2)\b"
    r"|(?:^|\s)--?\w|^X-\w|\w-\w+-\w+-"
)
_CODE_HINT = re.compile(r"[_.\-]")
_CONTRACTION = re.compile(r"(?i)\b\w+['’](?:ll|re|ve|d|m|t)\b")
# letters and digits interleaved ("w1p2") or a short letter-digit code ("R2", "eu3")
_IDENTIFIER = re.compile(r"[A-Za-z]+\d+[A-Za-z]+\w*|(?![Vv]\d)[A-Za-z]{1,2}\d{1,2}")
_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,3}s")
_TRANSLITERATE = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "Æ": "AE", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l"}
)


def looks_code(term: str) -> bool:
    """UUID_OF_SECRET, secret.xml, --flag, X-Auth-Token: a token only code spells."""
    return bool(_CODE_HINT.search(term)) and bool(_CODE_TOKEN.search(term))


def hashtag(text: str) -> str | None:
    """ "souveraineté numérique" -> "#SouveraineteNumerique", "l'OpenInfra" -> "#OpenInfra",
    "kubecon" -> "#KubeCon"; None for what is no tag (digits only, markup, code, a bare short
    acronym outside the table, more than MAX_HASHTAG characters).

    A word with capitals of its own keeps them (vSphere, eBPF); others get an initial capital.
    """
    value = visible(text or "").strip().lstrip("#＃").strip()
    if not _TAG_TEXT.fullmatch(value) or _CODE_TOKEN.search(value):
        return None  # markup, template syntax, sentences, code: not a tag
    if _CONTRACTION.search(value):
        return None  # "I'll", "we're": a pronoun and a verb, no name
    value = re.sub(r"(?<=\w)['’]s\b", "", value)  # "Ceph's" -> "Ceph"
    value = fold(_ELISION.sub("", value).translate(_TRANSLITERATE))
    words = re.findall(r"[A-Za-z0-9]+", value)
    if any(_IDENTIFIER.fullmatch(w) and w.lower() not in KNOWN_TAGS for w in words):
        return None  # "w1p2", "R2": a device, zone or host name from a setup, not a tag
    tag = "".join(
        KNOWN_TAGS.get(w.lower()) or (w if any(c.isupper() for c in w) else w[:1].upper() + w[1:])
        for w in words
    )
    if len(tag) < 2 or tag.isdigit() or not tag[0].isalpha() or len(tag) > MAX_HASHTAG:
        return None
    known = KNOWN_TAGS.get(tag.lower())
    if known:
        return "#" + known
    if len(tag) <= 3 and (tag.isupper() or (len(words) == 1 and words[0].isupper())):
        return None  # #CAC, #ATT: an acronym people do not tag
    if len(words) == 1 and _ACRONYM_PLURAL.fullmatch(tag):
        singular = KNOWN_TAGS.get(tag[:-1].lower())  # "LLMs" -> #LLM; #IPs, #CLIs: no tag
        return "#" + singular if singular else None
    return "#" + tag


MAX_EVENT_TAG = 24
_EXTRA_SCORE = 0.8  # a project named once or twice, outside the keywords, can still be tagged
MAX_EXTRAS = 3
_PLACE_BEFORE = re.compile(r"(?:\b(?:à|au|in|at|near|près de)\s+)$", re.IGNORECASE)
_INSIDE_NAME = re.compile(r"\b[A-ZÀ-Þ][\w-]*\s+$")
_NAME_AFTER = re.compile(r"\s+[A-ZÀ-Þ]")
EVENT, NAME, TOPIC, ASIDE = range(4)


def pick_hashtags(
    keywords: Sequence[str],
    terms: Sequence[tuple[str, float]] = (),
    prose: Sequence[str] = (),
) -> tuple[str, ...]:
    """Hashtags for the keywords (and for names among `terms` the keywords left out)."""
    text = " ".join(prose)
    scores = dict(terms)
    candidates: list[tuple[int, float, int, str]] = []
    for position, keyword in enumerate(keywords):
        score = scores.get(keyword, float(len(keywords) - position))
        candidates.append((_kind(keyword, text), -score, position, keyword))
    extras = 0
    for position, (term, score) in enumerate(terms, start=len(keywords)):
        if extras == MAX_EXTRAS or score < _EXTRA_SCORE or term in keywords:
            continue
        if len(term.split()) == 1 and term[:1].isupper() and _kind(term, text) == NAME:
            candidates.append((NAME, -score, position, term))
            extras += 1
    by_kind: dict[int, list[str]] = {kind: [] for kind in (EVENT, NAME, TOPIC, ASIDE)}
    for kind, _score, _position, term in sorted(candidates):
        tag = _event_tag(term) if kind == EVENT else hashtag(term)
        if tag and len(tag) > 2 and not _is_person(term) and not _looks_constant(term):
            by_kind[kind].append(tag)
    events, names, topics = by_kind[EVENT], by_kind[NAME], by_kind[TOPIC]
    # A few names, then room for the topics before the remaining names.
    ordered = [*events[:1], *names[:3], *topics[:2], *events[1:], *names[3:], *topics[2:]]
    kept: list[str] = []
    for tag in [*ordered, *by_kind[ASIDE]]:
        folded = tag.lower()
        # "#Proxmox" after "#ProxmoxVE" says nothing new
        if not any(folded.startswith(k.lower()) or k.lower().startswith(folded) for k in kept):
            kept.append(tag)
    return tuple(kept[:MAX_HASHTAGS])


def _looks_constant(term: str) -> bool:
    """UUID_OF_SECRET or MY_VAR escaped from a code block: capitals too long for an acronym
    (CNCF, OCI, KCD are short), or joined by underscores."""
    letters = term.replace("_", "")
    return "_" in term or (letters.isupper() and len(letters) > 6)


def _kind(term: str, text: str) -> int:
    if term[:1].islower():
        return TOPIC
    if EVENT_WORDS.search(term):
        return EVENT
    if term.isupper() and f"({term})" in text:
        return ASIDE  # "la gestion dynamique des ressources (DRA)": explained, not a subject
    if text and _only_as_place(term, text):
        return ASIDE
    return NAME


def _only_as_place(term: str, text: str) -> bool:
    """Every mention reads "à Lyon", "in Salt Lake City" (or sits inside a longer name, as in
    "Journées OpenInfra Lyon"): a place."""
    if term not in text:
        return False
    alone = [
        start
        for start in _word_starts(term, text)
        if not _INSIDE_NAME.search(text[max(0, start - 30) : start])
        and not _NAME_AFTER.match(text, start + len(term))
    ]
    return bool(alone) and all(_PLACE_BEFORE.search(text[max(0, i - 12) : i]) for i in alone)


def _word_starts(term: str, text: str) -> list[int]:
    """Where `term` stands as a whole word, as `(?<!\\w)term(?!\\w)` finds it, by str.find: a
    pattern compiled for each term cost more than the scan (one term in five of every article)."""
    starts, at, size = [], text.find(term), len(term)
    while at != -1:
        before = text[at - 1] if at else " "
        after = text[at + size] if at + size < len(text) else " "
        whole = not _is_word_char(before) and not _is_word_char(after)
        if whole:
            starts.append(at)
        at = text.find(term, at + (size if whole else 1))  # as the pattern would go on
    return starts


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _event_tag(name: str) -> str | None:
    tag = hashtag(name)
    if tag and len(tag) <= MAX_EVENT_TAG:
        return tag
    brands = [w for w in re.findall(r"[\w-]+", name) if any(c.isupper() for c in w[1:])]
    if brands:
        return hashtag(brands[0])
    without_year = hashtag(re.sub(r"\b(?:19|20)\d\d\b", "", name))
    return without_year if without_year and len(without_year) <= MAX_EVENT_TAG else None


def _is_person(term: str) -> bool:
    """ "Rachid Zarouali", or a name inside a longer term ("KCD France Rachid Zarouali")."""
    words = term.split()
    for index, word in enumerate(words[:-1]):
        folded = fold(word.lower()).encode("ascii", "ignore").decode()
        if folded in FIRST_NAMES and words[index + 1][:1].isupper() and (index or len(words) < 4):
            return True
    return False
