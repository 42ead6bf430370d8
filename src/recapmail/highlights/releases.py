"""Releases named as such: "Kubernetes 1.21", "la v1.14", "supprimé en 1.25", "OpenStack 2026.1"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from recapmail.model import Figure

# "version 1.21", "Python 3.12": the digits after these are a release, read here, not a count
VERSION_BEFORE = re.compile(
    r"(?:version|release|v|kubernetes|python|java|openstack|api|ubuntu|debian)\s*$", re.I
)
# "Kubernetes 1.21", "v1.14", "supprimé en 1.25", "OpenStack 2026.1": a release, labelled as one.
_VERSION = re.compile(r"(?<![\w.,/#@\-–])v?(?P<num>\d{1,4}\.\d{1,2}(?:\.\d{1,3})?)(?![\w%]|[.,]\d)")
DOTTED = re.compile(r"\d\.\d")
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


def versions(sentence: str, language: str) -> Iterable[tuple[float, Figure]]:
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
