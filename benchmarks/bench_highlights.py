"""Highlight quality and speed: recapmail against Lead-3, Lead-N and sumy's LexRank.

    python benchmarks/bench_highlights.py --facts benchmarks/facts/recaps.json FOLDER [FOLDER...]

Quality: for each article named in the facts file (see its "_format" entry), the share of the
editor's key facts found in the summary plus the first five highlights (fact recall), the share of
key figures found as figures (number and label), and how often the title and language are right.
The baselines pick sentences from the same cleaned text, split by the same splitter: Lead-3 (the
first three sentences), Lead-N and LexRank-N (as many sentences as recapmail output for that
article: summary sentences + highlights). sumy's own tokenizer needs NLTK's punkt data, which is
not installed and cannot be downloaded here, so LexRank gets our sentence splitter and a regex
word tokenizer (its stemmer and stop words are sumy's own).

Speed: articles per second on one core, for the articles given, for ~5 KB articles and for
~500-character feed items (title + short text).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from recapmail.errors import DraftSkipped
from recapmail.highlights import cluster, detect_language, extract, split_sentences
from recapmail.highlights.clean import clean_document
from recapmail.model import Article, Highlights
from recapmail.sources.files import (
    MARKDOWN_SUFFIXES,
    article_from_meta,
    read_file,
    split_front_matter,
)

_LANGUAGE_NAMES = {"fr": "french", "en": "english"}


def _read(path: Path) -> Article:
    """An article as extract() sees it; a draft is measured too (it is only kept from sending)."""
    try:
        return read_file(path)
    except DraftSkipped:
        text = path.read_text("utf-8")
        meta, body = split_front_matter(text, str(path))
        body_format = "markdown" if path.suffix.lower() in MARKDOWN_SUFFIXES or meta else "text"
        return article_from_meta(meta, body, str(path), body_format)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="folders holding the articles")
    parser.add_argument("--facts", type=Path, required=True, help="the facts file (JSON)")
    parser.add_argument("--count", type=int, default=5, help="highlights per article")
    parser.add_argument("--details", action="store_true", help="list the facts missed")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurements")
    parser.add_argument("--no-lexrank", action="store_true", help="skip the sumy baseline")
    parser.add_argument(
        "--cluster-sizes",
        default="2000,10000",
        help="comma-separated numbers of short items to time cluster() on ('' to skip)",
    )
    args = parser.parse_args(argv)

    facts: dict[str, Any] = {
        k: v for k, v in json.loads(args.facts.read_text("utf-8")).items() if not k.startswith("_")
    }
    files = {p.name: p for folder in args.folders for p in sorted(folder.iterdir()) if p.is_file()}
    missing = sorted(set(facts) - set(files))
    if missing:
        print(f"warning: no file for {len(missing)} facts entries: {', '.join(missing)}")
    names = [name for name in facts if name in files]
    articles = {name: _read(files[name]) for name in names}
    results = {name: extract(articles[name], args.count) for name in names}

    systems: dict[str, dict[str, float]] = {}
    lexrank = None if args.no_lexrank else _lexrank_picker()
    rows: dict[str, list[tuple[float, float]]] = {"recapmail": [], "Lead-3": [], "Lead-N": []}
    if lexrank:
        rows["LexRank-N"] = []
    per_language: dict[str, list[float]] = {}
    for name in names:
        entry, result, article = facts[name], results[name], articles[name]
        ours = [result.summary, *result.highlights[:5]]
        budget = len(split_sentences(result.summary, result.language)) + len(result.highlights[:5])
        sentences = _body_sentences(article, result.language)
        picks = {
            "recapmail": ours,
            "Lead-3": sentences[:3],
            "Lead-N": sentences[:budget],
        }
        if lexrank:
            picks["LexRank-N"] = lexrank(sentences, result.language, budget)
        for system, texts in picks.items():
            recall = _recall(entry["facts"], texts)
            rows[system].append((recall, sum(len(t) for t in texts)))
        per_language.setdefault(entry.get("language", "?"), []).append(rows["recapmail"][-1][0])
        if args.details:
            _print_details(name, entry, result, ours)

    for system, measured in rows.items():
        systems[system] = {
            "fact recall": statistics.mean(r for r, _ in measured),
            "chars": statistics.mean(c for _, c in measured),
        }
    figure_recall = statistics.mean(
        _figure_recall(facts[n]["figures"], results[n]) for n in names if facts[n]["figures"]
    )
    title_ok = statistics.mean(_title_ok(facts[n].get("title"), results[n].title) for n in names)
    language_ok = statistics.mean(
        facts[n].get("language") == results[n].language for n in names if facts[n].get("language")
    )

    print(f"\n{len(names)} articles, {sum(len(facts[n]['facts']) for n in names)} facts\n")
    print(f"{'system':<12} {'fact recall':>12} {'chars/article':>14}")
    for system, summary in systems.items():
        print(f"{system:<12} {summary['fact recall']:>11.1%} {summary['chars']:>14.0f}")
    for language, recalls in sorted(per_language.items()):
        print(f"recapmail, {language}: {statistics.mean(recalls):.1%} fact recall ({len(recalls)})")
    print(
        f"\nfigure recall {figure_recall:.1%}   title {title_ok:.1%}   language {language_ok:.1%}"
    )
    for language in sorted(per_language):
        own = [n for n in names if facts[n]["figures"] and results[n].language == language]
        if own:
            recall = statistics.mean(_figure_recall(facts[n]["figures"], results[n]) for n in own)
            print(f"figure recall, {language}: {recall:.1%} ({len(own)})")
    sizes = [int(n) for n in args.cluster_sizes.split(",") if n.strip()]
    others = [extract(_read(path)) for name, path in files.items() if name not in results]
    _clusters([*results.values(), *others], sizes)
    if not args.no_speed:
        _speed(list(articles.values()))
    return 0


def _body_sentences(article: Article, language: str) -> list[str]:
    doc = clean_document(article.body, article.body_format, article.url)
    return [
        s
        for block in doc.blocks
        if block.kind != "heading"
        for s in split_sentences(block.text, language)
    ]


def _lexrank_picker() -> Callable[[list[str], str, int], list[str]] | None:
    try:
        from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
        from sumy.nlp.stemmers import Stemmer
        from sumy.summarizers.lex_rank import LexRankSummarizer
        from sumy.utils import get_stop_words
    except ImportError:
        print("sumy is not installed: LexRank skipped (pip install sumy)")
        return None

    class Words:
        """sumy's tokenizer interface, without NLTK data: a regex for words."""

        def __init__(self, language: str) -> None:
            self.language = language

        def to_words(self, text: str) -> list[str]:
            return re.findall(r"\w+(?:[-']\w+)*", text)

    def pick(sentences: list[str], language: str, count: int) -> list[str]:
        name = _LANGUAGE_NAMES.get(language, "english")
        words = Words(name)
        document = ObjectDocumentModel(
            [Paragraph([Sentence(s, words) for s in sentences])] if sentences else []
        )
        summarizer = LexRankSummarizer(Stemmer(name))
        summarizer.stop_words = get_stop_words(name)
        return [str(s) for s in summarizer(document, count)]

    return pick


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")
    text = text.replace("'", "'")
    text = re.sub(r"(?<=\d)[ ,](?=\d{3}(?!\d))", "", text)  # 1 200 / 1,200 -> 1200
    text = re.sub(r"(?<=\d) (?=%)", "", text)
    return " ".join(text.split())


def _found(alternative: str, text: str) -> bool:
    return all(_fold(keyword) in text for keyword in alternative.split(" & "))


def _recall(facts: list[list[str]], texts: Sequence[str]) -> float:
    if not facts:
        return 1.0
    text = _fold(" ".join(texts))
    return sum(any(_found(alt, text) for alt in fact) for fact in facts) / len(facts)


def _figure_recall(expected: list[dict[str, Any]], result: Highlights) -> float:
    return sum(_figure_found(figure, result) for figure in expected) / len(expected)


def _figure_found(figure: dict[str, Any], result: Highlights) -> bool:
    number, labels = float(figure["number"]), [_fold(x) for x in figure["label"]]
    for got in result.figures:
        same = abs(got.number - number) <= 0.01 * abs(number)
        text = _fold(f"{got.label} {got.value}")
        if same and (not labels or any(label in text for label in labels)):
            return True
    return False


def _title_ok(alternatives: list[str] | None, title: str) -> bool:
    if not alternatives:
        return True
    folded = _fold(title)
    return any(_found(alt, folded) for alt in alternatives) and not title.endswith("…")


def _print_details(name: str, entry: dict[str, Any], result: Highlights, ours: list[str]) -> None:
    text = _fold(" ".join(ours))
    missed = [fact[0] for fact in entry["facts"] if not any(_found(a, text) for a in fact)]
    print(f"- {name}: missed {missed}")
    figures = entry["figures"]
    lost = [f"{f['number']:g} {f['label'][0]}" for f in figures if not _figure_found(f, result)]
    if lost:
        print(f"    figures missed {lost}; got {[f'{g.value} {g.label}' for g in result.figures]}")


def _speed(articles: list[Article]) -> None:
    detect_language("warm up the language identifier, once, as a real run would")
    extract(articles[0])
    print("\nspeed (one core, after start-up):")
    bodies = [a.body for a in articles]
    five_kb = [_resized(a, bodies, 5000) for a in articles]
    feed_items = [
        Article(source=f"item-{i}", body=_resized(a, bodies, 500).body, title=a.title)
        for i, a in enumerate(articles)
    ]
    for label, items in (
        ("given articles", articles),
        ("5 KB articles", five_kb),
        ("500-char items", feed_items),
    ):
        rate = _rate(items)
        size = statistics.mean(len(a.body) for a in items)
        print(f"  {label:<15} {rate:8.0f} articles/s   (mean body {size:.0f} chars)")


def _clusters(results: Sequence[Highlights], sizes: Sequence[int]) -> None:
    """Events grouped among the articles given, then cluster() timed on many short items."""
    groups, _ = cluster(results)
    print(f"\nevents: {len(groups)} groups among {len(results)} articles")
    for group in groups:
        print(f"  {group.id}: {', '.join(Path(m).name for m in group.members)}")
        for conflict in group.conflicts:
            print(f"    conflict {conflict.label}: {' vs '.join(v for v, _ in conflict.values)}")
    for size in sizes:
        items = _feed_week(size)
        start = time.perf_counter()
        made, _ = cluster(items)
        elapsed = time.perf_counter() - start
        grouped = sum(len(c.members) for c in made)
        print(f"  cluster() on {size:>6} short items: {elapsed:6.2f} s", end="")
        print(f"  ({len(made)} groups of {grouped} items)")


_PROJECTS = (
    "OpenInfra",
    "KubeCon",
    "Ceph",
    "OpenStack",
    "Cilium",
    "Proxmox",
    "Kubernetes",
    "Linux",
    "Rust",
    "Python",
    "Postgres",
    "Grafana",
    "Terraform",
    "Ansible",
    "Debian",
    "Ubuntu",
    "Fedora",
    "Nix",
    "Argo",
    "Flux",
    "Envoy",
    "Istio",
    "Harbor",
    "Keycloak",
    "Nextcloud",
    "Matrix",
    "Mastodon",
    "Gitea",
    "Forgejo",
    "Podman",
)
_KINDS = ("Summit", "Days", "Conference", "Forum", "Meetup", "Journées", "Sommet", "Rencontres")
_CITIES = (
    "Lyon",
    "Paris",
    "Nantes",
    "Lille",
    "Berlin",
    "Amsterdam",
    "Vienna",
    "Prague",
    "Madrid",
    "Lisbon",
    "Seoul",
    "Tokyo",
    "Austin",
    "Chicago",
    "Denver",
    "Toronto",
    "Montreal",
    "Sydney",
    "Mumbai",
    "Singapore",
)


def _feed_week(size: int) -> list[Highlights]:
    """A week of short feed items, deterministic: a third name an event, some the same one."""
    items = []
    for i in range(size):
        project = _PROJECTS[i % len(_PROJECTS)]
        city = _CITIES[(i // 7) % len(_CITIES)]
        kind = _KINDS[(i // 3) % len(_KINDS)]
        year = 2024 + i % 3
        if i % 3 == 0:
            title = (
                f"{kind} {project} {city} {year} : ce qu'il faut retenir"
                if kind in {"Journées", "Sommet", "Rencontres"}
                else f"{project} {kind} {city} {year}: what we learned"
            )
        else:
            title = f"{project} {i % 40}.{i % 9} released with {i % 300 + 10} fixes"
        summary = f"{title}. The {project} community met {i % 500 + 100} people in {city}."
        article = Article(source=f"https://feeds.example.org/{i}", body=summary, title=title)
        items.append(Highlights(article, title, "en", summary, (summary,), keywords=(project,)))
    return items


def _resized(article: Article, bodies: list[str], size: int) -> Article:
    """The article's own text cut or extended (with the next ones) to about `size` characters."""
    text = article.body
    index = 0
    while len(text) < size:
        text += "\n\n" + bodies[index % len(bodies)]
        index += 1
    cut = text.rfind("\n", 0, size)
    return replace(article, body=text[: cut if cut > size // 2 else size])


def _rate(items: list[Article], minimum_seconds: float = 2.0) -> float:
    # CPU time of this process: on a shared machine, wall time measures the neighbours too
    done, start = 0, time.process_time()
    while time.process_time() - start < minimum_seconds:
        for item in items:
            extract(item)
        done += len(items)
    return done / (time.process_time() - start)


if __name__ == "__main__":
    sys.exit(main())
