"""Transcripts and subtitles: who speaks is structure, not text.

A transcript's speaker label ("HOLT: Good evening") says who said what follows; left in the text
as words it would be read as part of the quote and nobody would be its source. The readers here
turn each speaker turn into a `Turn` (speaker, offsets, timecodes), and the annotate stage makes
it an attribution of kind `transcript` (claimgraph.annotate.transcript).

Formats:
- `SPEAKER: text` lines in a `.txt` file, recognised by `detect_speaker_lines` (see there);
- `.tsv` / `.csv` with a header naming a text column (text, line, utterance, transcript,
  sentence, content, dialogue) and a speaker column (speaker, name, person, who) or a start
  column (start, begin, time, timecode, timestamp), optional end column (end, stop); one row per
  turn; a file/episode column (file_name, episode, debate, ...) makes one article per value;
- `.srt` and `.vtt` subtitles: markup (`<i>`, `{\\an8}`, `[MUSIC]`, `(APPLAUSE)`) is dropped,
  the speaker comes from a WebVTT voice tag `<v Name>`, a `NAME:` label at the start of a cue or
  line, and a cue with neither continues the previous speaker unless it starts with `>>` or `-`
  (a new, unnamed speaker). Consecutive cues of one speaker make one turn (a sentence often runs
  over several cues), with the first cue's start and the last cue's end as its timecodes.

Every turn is one paragraph of the article text, `LABEL: utterance` (just the utterance when no
speaker is known). A cue with a broken timecode or a CSV row without text is reported as
Skipped by name; a file with no turn at all is Skipped as a whole.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from claimgraph.ingest.common import (
    DEFAULT_MAX_BYTES,
    Unreadable,
    clean_field,
    decode_bytes,
    read_limited,
    split_authors,
)
from claimgraph.model import Article, Skipped, Turn

SUBTITLE_SUFFIXES = (".srt", ".vtt")
TABLE_SUFFIXES = (".tsv", ".csv")

# Column names (case, spaces and underscores ignored) -> role.
_COLUMNS = {
    "speaker": ("speaker", "speakername", "name", "person", "who", "character", "role"),
    "text": (
        "text",
        "line",
        "utterance",
        "transcript",
        "sentence",
        "content",
        "dialogue",
        "dialog",
        "said",
    ),
    "start": ("start", "starttime", "begin", "from", "time", "timecode", "timestamp", "tc"),
    "end": ("end", "endtime", "stop", "to", "until"),
    # Several transcripts in one table: one article per value of this column.
    "document": ("filename", "file", "document", "episode", "transcriptid", "debate", "show"),
}
# A speaker label: 1 to 4 words, each starting with a capital or a digit ("HOLT", "Lester Holt",
# "SPEAKER 2", "O'ROURKE", "Sen. Warren"), then a colon and the utterance.
_LABEL = r"[A-Z][\w.'\u2019\-]*(?:[ \t]+(?:[A-Z0-9][\w.'\u2019\-]*|of|de|la|van|von|al|bin)){0,3}"
_LABEL_LINE = re.compile(rf"^(?P<label>{_LABEL})[ \t]*:[ \t]+(?P<text>\S.*)$")
# An optional timecode before the label: "[00:01:02] HOLT: ...", "00:01:02.5 HOLT: ...".
_TIMECODE_TEXT = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_LEADING_TIMECODE = re.compile(rf"^[\[(]?(?P<tc>{_TIMECODE_TEXT})[\])]?[ \t]+(?=\S)")
# Detection thresholds (see detect_speaker_lines).
MIN_LABELLED_LINES = 3
MIN_LABELLED_SHARE = 0.5
# Cues of one speaker are joined into a turn until it ends a sentence past this length.
MAX_MERGED_CHARS = 600

_SRT_TIMING = re.compile(
    r"^\s*(?P<a>\d{1,3}:\d{2}:\d{2}[,.]\d{1,3}|\d{1,2}:\d{2}[,.]\d{1,3})\s*-->\s*"
    r"(?P<b>\d{1,3}:\d{2}:\d{2}[,.]\d{1,3}|\d{1,2}:\d{2}[,.]\d{1,3})(?:\s.*)?$"
)
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<\d[^>]*>")
_VOICE = re.compile(r"<v(?:\.[\w.\-]+)?[ \t]+(?P<name>[^>]+?)[ \t]*>")
_ASS_TAG = re.compile(r"\{\\[^}]*\}")
# Sound and stage descriptions: [MUSIC], (APPLAUSE), (BEGIN VIDEO CLIP.), (crosstalk), music
# notes; a short capitalised aside stays ("(R-OK)", "(U.S.)").
_DESCRIPTION = re.compile(
    r"\[[^\]]*\]|\((?:[A-Z]{4}[A-Z\s\-'.,]*|(?i:crosstalk|laughter|laughs|applause|inaudible))\)|[♪♫]+"
)
_CHANGE = re.compile(r"^\s*(?:>>+|-(?=\s))\s*")


def _norm(text: str) -> str:
    """Whitespace collapsed and NULs out (cleaning drops NULs: a turn's offsets must not move)."""
    return " ".join(text.replace("\x00", "").split())


def normalise_timecode(value: str | None) -> str | None:
    """ "1:02:03,5", "02:03.500", "63.5" (seconds) -> "01:02:03.500"; None when not a timecode."""
    if value is None:
        return None
    text = value.strip().replace(",", ".")
    if not text:
        return None
    try:
        if ":" in text:
            parts = text.split(":")
            if len(parts) > 3 or not all(parts):
                return None
            seconds = float(parts[-1])
            minutes = int(parts[-2])
            hours = int(parts[0]) if len(parts) == 3 else 0
            if minutes >= 60 or seconds >= 60:
                return None
            total = hours * 3600 + minutes * 60 + seconds
        else:
            total = float(text)
    except ValueError:
        return None
    if total < 0 or total != total:  # negative or NaN
        return None
    millis = round(total * 1000)
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _clean_utterance(text: str) -> str:
    """Markup and sound descriptions out, entities decoded, whitespace collapsed."""
    text = _ASS_TAG.sub("", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _DESCRIPTION.sub(" ", text)
    return _norm(text)


@functools.cache
def _not_speakers() -> frozenset[str]:
    """Labels that open a line of an ordinary article ("Note:", "Photo:"): never speakers."""
    path = resources.files("claimgraph") / "data" / "transcripts.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return frozenset(str(w).casefold() for w in data.get("not_speakers") or [])


def speaker_label(line: str) -> tuple[str, str] | None:
    """(label, rest) when `line` starts with a speaker label ("HOLT: ..."), else None."""
    match = _LABEL_LINE.match(line.strip())
    if match is None:
        return None
    label = _norm(match.group("label"))
    if label.casefold().rstrip(".") in _not_speakers() or label.split()[0].casefold() in {
        "editor's",
        "editors",
    }:
        return None
    return label, match.group("text")


def is_speaker_line(line: str) -> bool:
    """Whether `line` opens a turn: a speaker label, maybe after a timecode."""
    line = line.strip()
    match = _LEADING_TIMECODE.match(line)
    return speaker_label(line[match.end() :] if match else line) is not None


@dataclass(slots=True)
class _Piece:
    speaker: str | None
    text: str
    timecode: str | None = None
    timecode_end: str | None = None


def build_article(
    pieces: Iterable[_Piece], source: str, *, title: str | None, meta: dict[str, Any]
) -> Article | None:
    """Join turns into one text (a paragraph each, `LABEL: utterance`), offsets and all."""
    paragraphs: list[str] = []
    turns: list[Turn] = []
    cursor = 0
    for piece in pieces:
        utterance = _norm(piece.text)
        if not utterance:
            continue
        speaker = _norm(piece.speaker) if piece.speaker else None
        if paragraphs:
            cursor += 2  # the "\n\n" between paragraphs
        if speaker:
            paragraph = f"{speaker}: {utterance}"
            label = (cursor, cursor + len(speaker))
            start = cursor + len(speaker) + 2
        else:
            paragraph, label, start = utterance, (None, None), cursor
        turns.append(
            Turn(
                speaker=speaker,
                start=start,
                end=start + len(utterance),
                label_start=label[0],
                label_end=label[1],
                timecode=piece.timecode,
                timecode_end=piece.timecode_end,
            )
        )
        paragraphs.append(paragraph)
        cursor += len(paragraph)
    if not turns:
        return None
    return Article(source=source, text="\n\n".join(paragraphs), title=title, meta=meta, turns=turns)


# ---------------------------------------------------------------------------------------------
# SPEAKER: text lines


def detect_speaker_lines(lines: list[str]) -> list[_Piece] | None:
    """The turns of `SPEAKER: text` lines, or None when the lines do not read as a transcript.

    The rule, conservative so that an article with a "Note:" line stays an article: at least
    MIN_LABELLED_LINES non-empty lines start with a speaker label (1-4 capitalised words and a
    colon, not a header word like Note/Update/Photo), they are at least MIN_LABELLED_SHARE of the
    non-empty lines, there are at least two different speakers, and one of them speaks twice.
    Unlabelled lines continue the turn before them (a line before any label has no speaker).
    """
    rows = [line.strip() for line in lines if line.strip()]
    if not rows:
        return None
    labelled: list[tuple[str | None, str, str | None]] = []
    counts: dict[str, int] = {}
    for row in rows:
        timecode = None
        match = _LEADING_TIMECODE.match(row)
        body = row
        if match and speaker_label(row[match.end() :]):
            timecode, body = normalise_timecode(match.group("tc")), row[match.end() :]
        found = speaker_label(body)
        if found:
            counts[found[0].casefold()] = counts.get(found[0].casefold(), 0) + 1
            labelled.append((found[0], found[1], timecode))
        else:
            labelled.append((None, row, None))
    n_labelled = sum(counts.values())
    if (
        n_labelled < MIN_LABELLED_LINES
        or n_labelled < MIN_LABELLED_SHARE * len(rows)
        or len(counts) < 2
        or max(counts.values()) < 2
    ):
        return None
    pieces: list[_Piece] = []
    for speaker, text, timecode in labelled:
        text = _clean_utterance(text)
        if speaker is None and pieces:
            pieces[-1].text = f"{pieces[-1].text} {text}"
        else:
            pieces.append(_Piece(speaker, text, timecode))
    return pieces


# ---------------------------------------------------------------------------------------------
# TSV / CSV


def _column(header: list[str], role: str) -> int | None:
    wanted = _COLUMNS[role]
    keys = [re.sub(r"[\s_\-]+", "", h or "").casefold() for h in header]
    for name in wanted:  # the first name in the list wins over later ones
        if name in keys:
            return keys.index(name)
    return None


def read_transcript_table(
    path: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Article | Skipped]:
    """One article per TSV/CSV transcript: a row per turn, in file order."""
    source = str(path)
    try:
        text = decode_bytes(read_limited(path, max_bytes))
    except Unreadable as exc:
        yield Skipped(source, str(exc))
        return
    delimiter = "\t" if path.name.lower().removesuffix(".gz").endswith(".tsv") else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        yield Skipped(source, f"not a readable {delimiter!r}-separated table: {exc}")
        return
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        yield Skipped(source, "empty table")
        return
    header = [cell.strip() for cell in rows[0]]
    text_col = _column(header, "text")
    if text_col is None:
        yield Skipped(
            source,
            "no text column in the header (expected one of: "
            f"{', '.join(_COLUMNS['text'])}; found: {', '.join(header) or 'nothing'})",
        )
        return
    speaker_col, start_col, end_col, group_col = (
        _column(header, r) for r in ("speaker", "start", "end", "document")
    )
    if speaker_col is None and start_col is None:
        # A table of articles or tweets with a text column is not a transcript.
        yield Skipped(
            source,
            "not a transcript: no speaker column (expected one of: "
            f"{', '.join(_COLUMNS['speaker'])}) and no start time column",
        )
        return

    def cell(row: list[str], col: int | None) -> str | None:
        if col is None or col >= len(row):
            return None
        return row[col].strip() or None

    groups: dict[str | None, list[_Piece]] = {}
    for number, row in enumerate(rows[1:], start=2):
        said = cell(row, text_col)
        if said is None:
            yield Skipped(f"{source}#row{number}", "no text in the text column")
            continue
        start, end = cell(row, start_col), cell(row, end_col)
        groups.setdefault(cell(row, group_col), []).append(
            _Piece(
                _speaker_cell(cell(row, speaker_col)),
                _clean_utterance(said),
                normalise_timecode(start) or start,
                normalise_timecode(end) or end,
            )
        )
    for group, pieces in groups.items():
        # One article per value of a file/episode column (several transcripts in one table).
        at = source if group is None or len(groups) == 1 else f"{source}#{group}"
        title = _title(path) if group is None or len(groups) == 1 else group
        article = build_article(pieces, at, title=title, meta={"format": "transcript"})
        if article is None:
            yield Skipped(at, "no turn with text in the table")
            continue
        yield from _with_sidecar(article, path)


def _speaker_cell(value: str | None) -> str | None:
    """A speaker cell as a label: stage notes and descriptions out ("(APPLAUSE) SANDERS" ->
    "SANDERS", "SEN. BERNIE SANDERS (D-VT), PRESIDENTIAL CANDIDATE" -> "SEN. BERNIE SANDERS");
    None when what is left is no name (a sentence pasted into the column)."""
    if value is None:
        return None
    value = _norm(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", value)).split(",")[0].strip(" :-")
    return value if value and len(value.split()) <= 6 else None


def _with_sidecar(article: Article, path: Path) -> Iterator[Article | Skipped]:
    """Apply a NAME.json sidecar's title, date, URL, outlet, authors and language, if any."""
    from claimgraph.ingest.text import read_sidecar, sidecar_for  # text.py imports this module

    sidecar_path = sidecar_for(path)
    if sidecar_path is not None:
        try:
            sidecar = read_sidecar(sidecar_path)
        except Unreadable as exc:
            yield Skipped(str(sidecar_path), f"{exc}; {path.name} read without it")
            sidecar = {}
        article.title = clean_field(sidecar.get("title")) or article.title
        article.date = clean_field(sidecar.get("date"))
        article.url = clean_field(sidecar.get("url"))
        article.outlet = clean_field(sidecar.get("outlet") or sidecar.get("source"))
        article.authors = split_authors(sidecar.get("authors") or sidecar.get("author"))
        article.language = clean_field(sidecar.get("language"))
        for key, value in sidecar.items():
            if key not in {
                "title",
                "date",
                "url",
                "outlet",
                "source",
                "author",
                "authors",
                "language",
            }:
                article.meta.setdefault(key, value)
    yield article


def _title(path: Path) -> str:
    """A transcript has no title line of its own: the file name stands in."""
    name = path.name[: -len(".gz")] if path.name.lower().endswith(".gz") else path.name
    return Path(name).stem


# ---------------------------------------------------------------------------------------------
# SRT / WebVTT


def _cue_segments(lines: list[str], vtt: bool) -> list[tuple[str | None, bool, str]]:
    """A cue's text -> [(speaker or None, starts a new speaker, text)] in order."""
    out: list[tuple[str | None, bool, str]] = []
    voice: str | None = None
    for raw in lines:
        line = raw
        if vtt:
            pieces = _VOICE.split(line)
            # re.split with one group: [before, name1, after1, name2, after2, ...]
            if len(pieces) > 1:
                if pieces[0].strip():
                    out.append((voice, False, pieces[0]))
                for k in range(1, len(pieces), 2):
                    voice = _norm(pieces[k])
                    out.append((voice, True, pieces[k + 1]))
                continue
        change = _CHANGE.match(line)
        if change:
            line = line[change.end() :]
        cleaned = _clean_utterance(line)
        found = speaker_label(cleaned)
        if found:
            out.append((found[0], True, found[1]))
        elif change:
            out.append((None, True, line))
        else:
            out.append((voice, False, line))
    return out


def _continues(last: _Piece, speaker: str | None, new: bool) -> bool:
    """Whether a cue's text goes on the turn before it: same speaker, not an unnamed change,
    and the turn is not already long and finished (a turn is a paragraph, not a whole film)."""
    if last.speaker != speaker or (new and speaker is None):
        return False
    return not (
        len(last.text) >= MAX_MERGED_CHARS and last.text.rstrip("\"')”").endswith((".", "!", "?"))
    )


def read_subtitles(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | Skipped]:
    """One article per SRT or WebVTT file; a cue with a broken timecode is Skipped by number."""
    source = str(path)
    try:
        text = decode_bytes(read_limited(path, max_bytes))
    except Unreadable as exc:
        yield Skipped(source, str(exc))
        return
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    vtt = path.name.lower().removesuffix(".gz").endswith(".vtt")
    blocks = [b for b in _BLANK_LINES.split(text) if b.strip()]
    if vtt:
        if not blocks or not blocks[0].lstrip().startswith("WEBVTT"):
            yield Skipped(source, "not a WebVTT file (no WEBVTT header)")
            return
        blocks = blocks[1:]
    pieces: list[_Piece] = []
    speaker: str | None = None
    bad = 0
    for number, block in enumerate(blocks, start=1):
        lines = [line for line in block.split("\n") if line.strip()]
        head = lines[0].strip()
        if vtt and (head.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in head):
            continue
        timing_at = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        if timing_at is None:
            bad += 1
            yield Skipped(f"{source}#cue{number}", f"no timing line in cue: {head[:60]!r}")
            continue
        timing = _SRT_TIMING.match(lines[timing_at])
        if timing is None:
            bad += 1
            yield Skipped(f"{source}#cue{number}", f"bad timecode {lines[timing_at].strip()!r}")
            continue
        start, end = normalise_timecode(timing.group("a")), normalise_timecode(timing.group("b"))
        if start is None or end is None:
            bad += 1
            yield Skipped(f"{source}#cue{number}", f"bad timecode {lines[timing_at].strip()!r}")
            continue
        for who, new, said in _cue_segments(lines[timing_at + 1 :], vtt):
            said = _clean_utterance(said)
            if not said:
                if new:
                    speaker = who
                continue
            if new or who is not None:
                speaker = who
            last = pieces[-1] if pieces else None
            if last is not None and _continues(last, speaker, new):
                last.text = f"{last.text} {said}"
                last.timecode_end = end
            else:
                pieces.append(_Piece(speaker, said, start, end))
    article = build_article(pieces, source, title=_title(path), meta={"format": "subtitles"})
    if article is None:
        if not bad:
            yield Skipped(source, "no subtitle cues with text")
        else:
            yield Skipped(source, f"no readable subtitle cue ({bad} with errors)")
        return
    yield from _with_sidecar(article, path)
