"""Article -> Highlights: what a reader of the newsletter must not miss, in French or English.

clean (blocks of prose, links) -> language -> sentences -> figures, keywords, title -> ranking
(summary, then highlights that do not repeat it) -> hashtags. Events across articles: events.py.
Everything is rules and word lists: nothing is downloaded and nothing heavy is imported.
"""

from __future__ import annotations

import re

from recapmail.highlights.clean import clean_document, clean_inline
from recapmail.highlights.events import cluster
from recapmail.highlights.figures import figures_in, select_figures
from recapmail.highlights.hashtags import hashtag, looks_code, pick_hashtags
from recapmail.highlights.keywords import (
    MAX_KEYWORDS,
    find_keywords,
    keep_terms,
    ranked_terms,
)
from recapmail.highlights.language import detect_language
from recapmail.highlights.ranking import (
    SPEAKER_HEADING,
    Candidate,
    common_words,
    echo_bonus,
    heading_subject,
    pick_highlights,
    pick_summary,
    score_sentence,
    summary_text,
)
from recapmail.highlights.sentences import split_sentences
from recapmail.highlights.title import build_title, pick_title
from recapmail.model import Article, Figure, Highlights

__all__ = ["cluster", "detect_language", "extract", "hashtag", "split_sentences"]

_LANGUAGE_SAMPLE = 3000
# Press releases open with "AUSTIN, Texas, March 12, 2025 —": place and date, not news.
_DATELINE = re.compile(
    r"^[A-Z]{3,40}[^\n]{0,100}?\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? "
    r"\d{1,2},? \d{4}\s*[—–-]+\s*"
)


def extract(article: Article, count: int = 5) -> Highlights:
    """Title, language, summary, highlights, figures, keywords, hashtags and links of an article."""
    doc = clean_document(article.body, article.body_format, article.url)
    description = _usable_description(article.description, article.title)
    sample = " ".join(filter(None, [article.title, description, doc.text[:_LANGUAGE_SAMPLE]]))
    language = detect_language(sample, article.language)
    title, first_is_title = pick_title(article.title, doc.blocks, (), language)
    blocks = doc.blocks[1:] if first_is_title else doc.blocks

    texts: list[tuple[str, str]] = []
    sections: list[int] = []
    if description:
        texts.append((description, "description"))
        sections.append(-1)
    section = 0
    for block in blocks:
        if block.kind == "heading":
            section += not SPEAKER_HEADING.match(block.text)
            texts.append((block.text, "heading"))
            sections.append(section)
        else:
            text = _DATELINE.sub("", block.text)
            sentences = _with_quotes(split_sentences(text, language), block.kind)
            texts.extend(sentences)
            sections.extend([section] * len(sentences))
    code = _code_spans(doc.code)
    found = [_outside_code(figures_in(text, language), text, code) for text, _kind in texts]
    figures = select_figures(found)

    prose = [text for text, kind in texts if kind != "heading"]
    headings = [text for text, kind in texts if kind == "heading"]
    known_title = title if article.title or first_is_title else ""
    ranked = ranked_terms(prose, known_title, description, article.tags, headings)
    ranked = [(term, score) for term, score in ranked if not _from_code(term, code)]
    keywords = keep_terms(ranked, MAX_KEYWORDS)
    if not known_title:
        terms = find_keywords(prose, "", description, article.tags, 20, headings, min_score=0.0)
        title = build_title(terms, language)

    candidates: list[Candidate] = []
    order = 0
    subject: frozenset[str] = frozenset()
    common = heading_subject(title) | common_words(prose)
    for (text, kind), scored, section in zip(texts, found, sections, strict=True):
        own = tuple(figure for _score, figure in scored)
        weight = sum(max(score, 0.0) for score, _figure in scored)
        position = -1 if kind == "description" else order
        order += kind != "description"
        score = score_sentence(text, kind, own, keywords, weight)
        if kind == "heading" and SPEAKER_HEADING.match(text):
            pass  # the talk's title, above it, still names what the section is about
        elif kind == "heading":
            subject = heading_subject(text) - common
        elif kind != "description" and (bonus := echo_bonus(text, subject)):
            score += bonus
            subject = frozenset()  # the sentence that introduces the section's subject, once
        if _ADDRESS.search(text):
            continue  # a sentence about an IP address is a setup step, not news
        candidates.append(Candidate(text, kind, position, own, score, section))
    summary = pick_summary(candidates, keywords[:3])
    highlights = pick_highlights(candidates, summary, count, figures) if count > 0 else []
    return Highlights(
        article=article,
        title=title,
        language=language,
        summary=summary_text(summary),
        highlights=tuple(highlights),
        figures=figures,
        keywords=keywords,
        hashtags=pick_hashtags(keywords, ranked, prose),
        links=doc.links,
    )


_ADDRESS = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.]|\.\d)")
_NOT_CODE = re.compile(r"v?\d+(?:\.\d+)*")  # `1.21`: a release written as code, still news


def _code_spans(spans: tuple[str, ...]) -> frozenset[str]:
    """The inline code of the prose, span by span and word by word."""
    kept = [span for span in spans if not _NOT_CODE.fullmatch(span)]
    return frozenset(kept) | frozenset(word for span in kept for word in span.split())


def _from_code(term: str, code: frozenset[str]) -> bool:
    if looks_code(term):
        return True
    return bool(code) and (term in code or any(word in code for word in term.split()))


def _outside_code(
    found: list[tuple[float, Figure]], text: str, code: frozenset[str]
) -> list[tuple[float, Figure]]:
    """Figures of a sentence, less those read inside its code spans (`-m 2048`)."""
    if not code or not found:
        return found
    spans = [span for span in code if span in text and any(c.isdigit() for c in span)]
    return [(s, f) for s, f in found if not any(f.value in span for span in spans)]


def _usable_description(description: str | None, title: str | None) -> str | None:
    """A description truncated by its site ("…", "...") is an excerpt, not a sentence."""
    if not description:
        return None
    text = clean_inline(description)
    if len(text) < 40 or text.endswith(("...", "…")):
        return None
    if title and _fold_words(text) <= _fold_words(title) | {"recap", "retours", "récap"}:
        return None
    return text


def _fold_words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _with_quotes(sentences: list[str], kind: str) -> list[tuple[str, str]]:
    """Sentences of one block; those spoken inside quotation marks become kind "quote"."""
    marked: list[tuple[str, str]] = []
    inside = False
    if sum(s.count('"') for s in sentences) % 2:  # a stray quote (copy-paste), not speech
        sentences = [s.replace('"', "") for s in sentences]
    for sentence in sentences:
        quoted = inside or sentence.lstrip().startswith(('"', "«"))
        marked.append((sentence, "quote" if quoted else kind))
        inside = (sentence.count('"') % 2 == 1) != inside
        inside = inside or sentence.count("«") > sentence.count("»")
        if sentence.count("»") > sentence.count("«"):
            inside = False
    return marked
