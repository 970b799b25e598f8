"""Raw article -> Document: the article's own paragraphs, with page furniture taken out.

Cheap on purpose (no NLP): it runs before the expensive stages so that a document already in the
store can be recognised by its content id and skipped.

How a line is judged, in order (vocabularies in claimgraph/data/*.yaml):
1. what it is by itself: a repeated title, a self-applied label, a reprint notice, a byline or
   date line near the top, furniture vocabulary (whole-line patterns), a share counter (numbers
   only) or an image credit (short "Agency / Agency via Agency" shape);
2. where it stands: an *article paragraph* is a sentence-like line (ends with terminal
   punctuation, or is long) in the document's own script that nothing above claimed. Before the
   first and after the last article paragraph lie the page's head and tail: there, loose
   furniture ("Subscribe now") goes too, and a furniture marker in the tail ("Related Articles",
   "Leave a Reply") takes everything after it with it. Between article paragraphs only strict
   furniture is removed, so a short line like "So much for that." stays.
Every removed line is kept in Document.removed with its reason.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from claimgraph.ingest.common import scrub, split_authors
from claimgraph.ingest.html import ExtractedPage, extract_page
from claimgraph.ingest.metadata import (
    Dateline,
    date_from_url,
    date_languages,
    looks_like_name,
    match_byline,
    match_date_line,
    match_dateline,
    match_leading_date,
    match_reprint,
    normalise_line,
    parse_date,
)
from claimgraph.ingest.vocab import Vocabulary, default_vocabulary
from claimgraph.model import (
    Article,
    Document,
    Removed,
    Signal,
    Skipped,
    Turn,
    content_id,
    fold_spaces,
    normalise_text,
)

# Bylines and date lines are looked for only among the first lines of the body.
HEAD_LINES = 6
# A line this long is article prose even without final punctuation.
LONG_LINE_WORDS = 30
# A line ending with ":" is prose when it is this long ("Read more:" is not).
LEAD_IN_WORDS = 8
_TERMINAL = re.compile(r"[.!?\u2026\u3002\uff01\uff1f\u061f\u06d4][\"'\u2019\u201d\u00bb)\]]*$")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_EDGE_SYMBOLS = re.compile(r"^[\W_]+|[\W_]+$")
_CREDIT_SPLIT = re.compile(r"\s*/\s*|\s*\|\s*|\s+via\s+", re.IGNORECASE)
# Reader bookkeeping that becomes a Document field rather than meta.
_READER_KEYS = frozenset({"date_source", "outlet_source"})


@dataclass(slots=True)
class _Line:
    text: str
    norm: str
    words: int
    reason: str | None = None  # set once the line is removed
    loose: str | None = None  # a non-strict furniture group it matches
    marker: bool = False  # it matches a tail-marker group
    foreign: bool = False  # written in another script than the document

    @property
    def kept(self) -> bool:
        return self.reason is None


@dataclass(slots=True)
class _Found:
    """Metadata collected from the body while lines are judged."""

    signals: list[Signal] = field(default_factory=list)
    byline: str | None = None
    byline_who: str | None = None
    byline_is_desk: bool = False
    byline_date: str | None = None
    date_line: str | None = None
    updated: str | None = None
    reprints: dict[str, str] = field(default_factory=dict)
    cut: list[Removed] = field(default_factory=list)  # parts of kept lines taken off


def _script(ch: str) -> str:
    o = ord(ch)
    if o < 0x250 or 0x1E00 <= o < 0x1F00:
        return "latin"
    if 0x370 <= o < 0x400 or 0x1F00 <= o < 0x2000:
        return "greek"
    if 0x400 <= o < 0x530:
        return "cyrillic"
    if 0x590 <= o < 0x600 or 0xFB1D <= o < 0xFB50:
        return "hebrew"
    if 0x600 <= o < 0x780 or 0x8A0 <= o < 0x900 or 0xFB50 <= o < 0xFE00 or 0xFE70 <= o < 0xFF00:
        return "arabic"
    if 0x900 <= o < 0xE00:
        return "indic"
    if 0x3040 <= o < 0x3100 or 0x3400 <= o < 0xA000 or 0xAC00 <= o < 0xD7B0:
        return "cjk"
    return "other"


def dominant_script(text: str) -> str | None:
    """The script most letters of `text` are written in (None without letters)."""
    latin = len(_ASCII_LETTER.findall(text))
    if text.isascii():  # the common case, without a Python loop over every character
        return "latin" if latin else None
    counts = Counter(_script(ch) for ch in _NON_ASCII.findall(text) if ch.isalpha())
    counts["latin"] += latin
    script, n = counts.most_common(1)[0]
    return script if n else None


def _is_image_credit(line: _Line, vocab: Vocabulary) -> bool:
    """ "AFP / Pool via Reuters", "Photo: AP": credits a picture, says nothing."""
    if line.words > vocab.credit_max_words:
        return False
    text = line.norm.strip("()[] ")
    if vocab.credit_prefix.match(text):
        return True
    segments = _CREDIT_SPLIT.split(text)
    if len(segments) < 2 or not all(segments):
        return False
    if not all(looks_like_name(seg, max_words=5) for seg in segments):
        return False
    return any(
        seg.casefold() in vocab.credit_words
        or any(w in vocab.credit_words for w in seg.casefold().split())
        for seg in segments
    )


def _furniture(line: _Line, vocab: Vocabulary) -> None:
    """Mark strict furniture as removed and remember loose furniture for head/tail."""
    if line.words > vocab.furniture_max_words:
        return
    text = line.norm.rstrip(" *:")
    for group in vocab.furniture:
        if not group.pattern.fullmatch(text):
            continue
        line.marker = line.marker or group.tail_marker
        if group.strict:
            line.reason = f"furniture:{group.name}"
            return
        line.loose = line.loose or group.name


def _judge_line(
    line: _Line,
    index: int,
    title_norm: str | None,
    vocab: Vocabulary,
    languages: tuple[str, ...],
    found: _Found,
) -> None:
    """Step 1: what a line is by itself."""
    if index < 3 and title_norm and normalise_text(line.text).rstrip(" .") == title_norm:
        line.reason = "repeated_title"
        return
    bare = _EDGE_SYMBOLS.sub("", line.norm)
    if bare and len(bare.split()) <= vocab.label_max_words and vocab.labels.fullmatch(bare):
        line.reason = "self_label"
        found.signals.append(Signal(type="self_label", text=line.text, scope="document"))
        return
    reprint = match_reprint(line.text, vocab)
    if reprint is not None:
        line.reason = "reprint_notice"
        found.signals.append(
            Signal(type="reprint_notice", text=line.text, scope="document", detail=reprint.outlet)
        )
        found.reprints.setdefault(reprint.role, reprint.outlet)
        return
    if index < HEAD_LINES:
        byline = match_byline(line.text, vocab, languages)
        if byline is not None:
            line.reason = "byline"
            if found.byline is None:
                found.byline = line.text
                found.byline_who = byline.who
                found.byline_is_desk = byline.is_desk
                found.byline_date = byline.date
            return
        date_line = match_date_line(line.text, vocab, languages)
        if date_line is not None:
            line.reason = "date_line"
            if date_line.updated:
                found.updated = found.updated or date_line.date
            else:
                found.date_line = found.date_line or date_line.date
            return
        leading = match_leading_date(line.text, languages) if found.date_line is None else None
        if leading is not None:  # "12 March 2018Damascus, SANA - ...": a date glued to the text
            date, end = leading
            found.date_line = date
            found.cut.append(Removed(text=line.text[:end].strip(), reason="date_line"))
            line.text = line.text[end:]
            line.norm = normalise_line(line.text)
            line.words = len(line.norm.split())
    _furniture(line, vocab)
    if line.reason:
        return
    if vocab.counter_line.fullmatch(line.norm):
        line.reason = "furniture:share_counter"
    elif _is_image_credit(line, vocab):
        line.reason = "furniture:image_credit"


def _is_article_paragraph(line: _Line) -> bool:
    if not line.kept or line.loose or line.foreign:
        return False
    if line.words >= LONG_LINE_WORDS:
        return True
    if line.words >= LEAD_IN_WORDS and line.norm.endswith(":"):
        return True  # a sentence introducing a quote or an embed that follows it
    return (line.words >= 2 or len(line.norm) >= 12) and bool(_TERMINAL.search(line.norm))


def _judge_position(lines: list[_Line]) -> None:
    """Step 2: loose furniture in the head and tail; a tail marker takes the rest with it."""
    article = [i for i, line in enumerate(lines) if _is_article_paragraph(line)]
    if not article:
        return  # no prose to anchor a head or tail: only the per-line verdicts stand
    first, last = article[0], article[-1]
    trailing = False
    for i, line in enumerate(lines):
        if first <= i <= last or not line.kept:
            trailing = trailing or (i > last and line.marker)
            continue
        if i > last and line.marker:
            trailing = True
        if line.loose:
            line.reason = f"furniture:{line.loose}"
        elif trailing:
            line.reason = "furniture:trailing_block"


def _body(article: Article) -> tuple[str, ExtractedPage | None] | Skipped:
    """The text to clean (HTML goes through trafilatura first) and the page it came from."""
    if article.text and article.text.strip():
        return article.text, None
    if not (article.html and article.html.strip()):
        return Skipped(article.source, "no text or html")
    try:
        page = extract_page(article.html, article.url)
    except Exception as exc:  # lxml/trafilatura on hostile markup: report it, never raise
        return Skipped(article.source, f"HTML extraction failed: {type(exc).__name__}: {exc}")
    if page is None:
        return Skipped(article.source, "no main text found in the HTML page")
    return page.text, page


# A hover card run into a line (The Hill): the name as written, then the person's full name
# run into three linked headlines and a "MORE" ("... President Trump Donald John TrumpSessions
# says ... MORE's approval ...", "Speaker Paul Ryan Paul Davis Ryan Retirees should ... MORE
# (R-Wis.)"). The full name ends in the word the shown name ends in, with only name words
# (initials, "(Bill)") between: the card runs from there to "MORE".
_MORE = re.compile(r" MORE(?![A-Za-z])")
_CAPITALISED = re.compile(r"\b[A-Z][\w'\u2019-]*[a-z][\w'\u2019-]*")  # not a shouted heading
_CARD_NAME = re.compile(
    r"(?:\s+(?:[A-Z][\w.'\u2019-]*|\([A-Z][\w.'\u2019-]*\)|de|del|der|da|van|von|la|le|bin|al))*\s+"
)
_CARD_WINDOW = 600
_FULL_NAME_CHARS = 60


def strip_hover_cards(line: str) -> tuple[str, list[str]]:
    """A line without hover cards, and the cards taken off (for the audit list)."""
    cut: list[tuple[int, int]] = []
    floor = 0
    for more in _MORE.finditer(line):
        start = max(floor, more.start() - _CARD_WINDOW)
        best: tuple[int, int] | None = None  # (end of the full name, end of the shown name)
        for shown in _CAPITALISED.finditer(line, start, more.start()):
            word = shown.group(0)
            again = re.compile(rf"{re.escape(word)}(?![a-z'\u2019])")
            for full in again.finditer(line, shown.end(), shown.end() + _FULL_NAME_CHARS):
                if _CARD_NAME.fullmatch(line, shown.end(), full.start()):
                    if best is None or full.end() > best[0]:
                        best = (full.end(), shown.end())
                    break
        if best is not None and best[0] < more.start():
            cut.append((best[1], more.end()))
        floor = more.end()
    if not cut:
        return line, []
    pieces, removed, last = [], [], 0
    for a, b in cut:
        pieces.append(line[last:a])
        removed.append(line[a:b].strip())
        last = b
    pieces.append(line[last:])
    return "".join(pieces), removed


def _split_lines(raw: str) -> list[_Line]:
    """Each non-empty line is a paragraph (some sources put no blank lines between them)."""
    script = dominant_script(raw)
    lines = []
    for text in raw.splitlines():
        text = text.strip()
        if text:
            norm = normalise_line(text)
            line = _Line(text=text, norm=norm, words=len(norm.split()))
            line.foreign = script is not None and dominant_script(text) not in (None, script)
            lines.append(line)
    return lines


def _date(
    article: Article,
    page: ExtractedPage | None,
    found: _Found,
    languages: tuple[str, ...],
    meta: dict[str, Any],
) -> tuple[str | None, str | None]:
    """(ISO date, where it came from): metadata first, then the byline, then a date line."""
    if article.date:
        date = parse_date(article.date, languages)
        if date:
            return date, article.meta.get("date_source", "metadata")
        meta["date_raw"] = article.date
    if page is not None and page.date:
        date = parse_date(page.date)
        if date:
            return date, "metadata"
    if found.byline_date:
        return found.byline_date, "byline"
    if found.date_line:
        return found.date_line, "date_line"
    url = date_from_url(article.url or (page.url if page else None))
    if url is not None:
        if url[1] == "day":
            return url[0], "url"
        meta["date_month"] = url[0]  # known to the month only: kept at that precision
    return None, None


def _outlet(
    article: Article, page: ExtractedPage | None, dateline: Dateline | None
) -> tuple[str | None, str | None]:
    """(outlet, where it came from): metadata wins over the dateline."""
    if article.outlet:
        return article.outlet, article.meta.get("outlet_source", "metadata")
    if page is not None and page.sitename:
        return page.sitename, "metadata"
    if dateline is not None and dateline.outlet:
        return dateline.outlet, "dateline"
    return None, None


def _found_meta(found: _Found, dateline: Dateline | None, date: str | None) -> dict[str, Any]:
    """What the body said about the document that has no Document field of its own."""
    meta: dict[str, Any] = {}
    if dateline is not None and dateline.outlet:
        meta["dateline_outlet"] = dateline.outlet
    if dateline is not None and dateline.place:
        meta["dateline_place"] = dateline.place
    if found.byline_is_desk and found.byline_who:
        meta["desk"] = found.byline_who
    if found.byline_date and found.byline_date != date:
        meta["byline_date"] = found.byline_date
    if found.updated:
        meta["updated_date"] = found.updated
    if "reprinted_by" in found.reprints:
        meta["reprinted_by"] = found.reprints["reprinted_by"]
    if "original" in found.reprints:
        meta["originally_published_by"] = found.reprints["original"]
    return meta


def _scrub_value(value: Any) -> Any:
    """`scrub` through the strings of a metadata value (nested lists and dicts included)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_value(v) for v in value]
    if isinstance(value, dict):
        return {scrub(str(k)): _scrub_value(v) for k, v in value.items()}
    return value


_FTFY_CONFIG = None


def repair_mojibake(text: str) -> str:
    """Text decoded with the wrong codec ("Ã¢â‚¬Ëœ" for "‘") repaired with ftfy, and nothing
    else changed: quotes, entities, widths and line breaks stay as written, so a clean text
    keeps its content id."""
    global _FTFY_CONFIG
    import ftfy

    if _FTFY_CONFIG is None:
        _FTFY_CONFIG = ftfy.TextFixerConfig(
            unescape_html=False,
            remove_terminal_escapes=False,
            fix_latin_ligatures=False,
            fix_character_width=False,
            uncurl_quotes=False,
            fix_line_breaks=False,
            fix_surrogates=False,
            remove_control_chars=False,
            normalization=None,
            explain=False,
        )
    return ftfy.fix_text(text, _FTFY_CONFIG)


def _scrubbed(article: Article) -> Article:
    """The article without NULs or lone surrogates in any field (hashing and storing need that)."""
    strings = {
        name: scrub(value)
        for name in ("source", "text", "html", "title", "date", "url", "outlet", "language")
        if isinstance(value := getattr(article, name), str)
    }
    if strings.get("title"):
        strings["title"] = repair_mojibake(strings["title"])
    if strings.get("text") and not article.turns:  # a transcript's offsets must not move
        strings["text"] = repair_mojibake(strings["text"])
    return replace(
        article,
        **strings,
        authors=[scrub(str(a)) for a in article.authors],
        meta=_scrub_value(dict(article.meta)),
    )


def clean_article(article: Article, vocab: Vocabulary | None = None) -> Document | Skipped:
    """Raw article -> Document with a cleaned body, metadata, removed furniture and signals.

    Never raises for bad input: an article that cannot be cleaned comes back as a Skipped named
    by its source, so one hostile record cannot stop a run.
    """
    try:
        return _clean(_scrubbed(article), vocab or default_vocabulary())
    except Exception as exc:  # last line of defence, as read_file has for the readers
        reason = f"unexpected error while cleaning: {type(exc).__name__}: {exc}"
        return Skipped(scrub(str(article.source)), scrub(reason))


def _clean(article: Article, vocab: Vocabulary) -> Document | Skipped:
    body = _body(article)
    if isinstance(body, Skipped):
        return body
    raw, page = body
    title = article.title or (page.title if page else None)
    title_norm = normalise_text(title).rstrip(" .") if title else None
    languages = date_languages(article.language)

    lines = _split_lines(raw)
    found = _Found()
    # A transcript's lines are what its speakers said, never page furniture: none is removed,
    # so the turns' offsets stay true.
    turns = _turns_in(article) if article.turns else []
    if not turns:
        for index, line in enumerate(lines):
            _judge_line(line, index, title_norm, vocab, languages, found)
        _judge_position(lines)
    kept = [line.text for line in lines if line.kept]
    if not turns:
        for k, line_text in enumerate(kept):
            kept[k], cards = strip_hover_cards(line_text)
            found.cut.extend(Removed(text=card, reason="hover_card") for card in cards)
    if not kept:
        return Skipped(
            article.source, f"no article text left after cleaning ({len(lines)} lines removed)"
        )
    # Exotic spaces (no-break, thin, figure) become plain spaces, one for one so nothing moves:
    # spaCy makes each a token of its own, which splits names ("The New York Times").
    text = fold_spaces(article.text if turns else "\n\n".join(kept))  # type: ignore[arg-type]

    meta: dict[str, Any] = {k: v for k, v in article.meta.items() if k not in _READER_KEYS}
    date, date_source = _date(article, page, found, languages, meta)
    first = (
        None
        if turns
        else next((i for i, line in enumerate(lines) if _is_article_paragraph(line)), None)
    )
    dateline = match_dateline(lines[first].text, vocab) if first is not None else None
    outlet, outlet_source = _outlet(article, page, dateline)
    meta.update(_found_meta(found, dateline, date))
    authors = list(article.authors) or (list(page.authors) if page else [])
    if not authors and found.byline_who and not found.byline_is_desk:
        authors = split_authors(found.byline_who)
    if page is not None:
        meta["extractor"] = "trafilatura"
        if page.description:
            meta.setdefault("description", page.description)

    return Document(
        id=content_id(title, text),
        source=article.source,
        text=text,
        title=title,
        date=date,
        date_source=date_source,
        url=article.url or (page.url if page else None),
        outlet=outlet,
        outlet_source=outlet_source,
        authors=authors,
        language=article.language,
        byline=found.byline,
        signals=found.signals,
        removed=[
            *found.cut,
            *(Removed(text=line.text, reason=line.reason) for line in lines if line.reason),
        ],
        meta=meta,
        turns=turns,
    )


def _turns_in(article: Article) -> list[Turn]:
    """The article's turns when they index its text exactly (a reader's promise, checked: the
    text is used as is, so a turn never points beside what was said)."""
    text = article.text or ""
    n = len(text)
    for turn in article.turns:
        if not (0 <= turn.start < turn.end <= n and text[turn.start : turn.end].strip()):
            return []
        if turn.label_start is not None and not (
            0 <= turn.label_start < (turn.label_end or 0) <= turn.start
        ):
            return []
    return list(article.turns)
