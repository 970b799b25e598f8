"""What every reader needs: bounded reads, gzip, text decoding and binary detection.

Readers never raise for bad input; the helpers here raise `Unreadable` with a reason a person can
act on, and the reader turns it into a `Skipped` record.
"""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import charset_normalizer

# One text or HTML document bigger than this is not an article; JSONL and WARC stream, so the
# limit applies to each line or record there.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

GZIP_MAGIC = b"\x1f\x8b"

# Byte-order marks, longest first (UTF-32 LE starts with the UTF-16 LE mark).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# How much messier than the detected encoding cp1252 may read and still be preferred.
_CP1252_MARGIN = 0.05
# Share of control / unassigned / replacement characters above which decoded text is garbage.
_MAX_GARBAGE_SHARE = 0.02
_GARBAGE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffd]")
_CHARSET_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# What no stored string may hold: NUL (PostgreSQL text rejects it) and lone surrogates (from JSON
# "\ud800" escapes or undecodable file names; UTF-8 cannot encode them).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# UTF-16 without a byte-order mark: in Latin text every other byte is NUL.
_UTF16_NUL_SHARE = 0.3


class Unreadable(Exception):
    """An input that cannot be read, with the reason to report."""


def scrub(text: str) -> str:
    """NULs -> spaces, lone surrogates -> U+FFFD, so every database can store `text`.

    One character for one, so offsets into the text (transcript turns) stay true.
    """
    if text.isascii() and "\x00" not in text:
        return text
    return _UNSTORABLE.sub(lambda m: " " if m.group() == "\x00" else "\ufffd", text)


def human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} bytes"


def is_gzip(path: Path) -> bool:
    """By content, not name: a mislabelled compressed file is still read correctly."""
    try:
        with path.open("rb") as fh:
            return fh.read(2) == GZIP_MAGIC
    except OSError:
        return False


@contextmanager
def open_binary(path: Path) -> Iterator[IO[bytes]]:
    """Open a file for streaming bytes, decompressing gzip transparently (by content)."""
    try:
        raw = path.open("rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise Unreadable(f"cannot open: {exc.strerror or exc}") from exc
    with raw:
        compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        if compressed:
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield unzipped
        else:
            yield raw


def gzip_error(exc: BaseException) -> str | None:
    """A readable reason when `exc` comes from a broken gzip stream, else None."""
    if isinstance(exc, EOFError):
        return "truncated gzip (compressed data ends before the end-of-stream marker)"
    if isinstance(exc, gzip.BadGzipFile):
        return f"not a valid gzip file ({exc})"
    if isinstance(exc, zlib.error):
        return f"corrupt gzip data ({exc})"
    return None


def read_limited(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """All bytes of a single-document file (decompressed), refusing ones over `max_bytes`."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from exc
    compressed = is_gzip(path)
    if not compressed and size > max_bytes:
        raise Unreadable(
            f"file is {human_size(size)}, over the {human_size(max_bytes)} limit for one document"
        )
    try:
        with open_binary(path) as fh:
            data = fh.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        reason = gzip_error(exc)
        if reason is None:
            reason = f"cannot read: {getattr(exc, 'strerror', None) or exc}"
        raise Unreadable(reason) from exc
    if len(data) > max_bytes:
        raise Unreadable(
            f"decompressed content is over the {human_size(max_bytes)} limit for one document"
        )
    return data


def declared_html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first bytes, if Python knows it."""
    match = _CHARSET_META.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _garbage_share(text: str) -> float:
    """Share of characters no text should contain (controls, surrogates, private use, U+FFFD)."""
    if not text:
        return 0.0
    sample = text[:100_000]
    return len(_GARBAGE.findall(sample)) / len(sample)


def _checked(text: str, encoding: str) -> str:
    if _garbage_share(text) > _MAX_GARBAGE_SHARE:
        raise Unreadable(f"binary or garbled content (decodes as {encoding} to control characters)")
    return text


def _bomless_utf16(data: bytes) -> str | None:
    """Text when `data` reads as UTF-16 without a byte-order mark (NULs on one side), else None.

    Windows tools write UTF-16 without a BOM; its NUL high bytes would otherwise look binary.
    """
    half = len(data) // 2
    if half < 2 or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    # A few NULs on the other side are characters like U+4E00; binary has them on both sides.
    if odd >= _UTF16_NUL_SHARE * half and even * 10 <= odd:
        encoding = "utf-16-le"
    elif even >= _UTF16_NUL_SHARE * half and odd * 10 <= even:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return text if _garbage_share(text) <= _MAX_GARBAGE_SHARE else None


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Bytes -> text: BOM, then UTF-8, then the declared charset, then detection.

    Raises Unreadable for empty, binary (NUL bytes) or undecodable input, so that garbage never
    reaches the cleaning as if it were an article.
    """
    if not data or data.isspace():
        raise Unreadable("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise Unreadable(f"undecodable bytes after a {encoding} byte-order mark") from exc
    if b"\x00" in data:
        utf16 = _bomless_utf16(data)
        if utf16 is not None:
            return utf16
        raise Unreadable("binary file (contains NUL bytes)")
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            return _checked(data.decode(declared), declared)
        except (UnicodeDecodeError, LookupError):
            pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise Unreadable("undecodable bytes (not UTF-8 and no text encoding fits)")
    # Detection is shaky on short texts (it takes French cp1252 for Baltic cp775). cp1252 is the
    # web's legacy default (WHATWG), so it wins whenever it reads about as cleanly as the guess.
    western = charset_normalizer.from_bytes(data, cp_isolation=["cp1252"]).best()
    if western is not None and western.chaos <= best.chaos + _CP1252_MARGIN:
        best = western
    return _checked(str(best), best.encoding)


def split_authors(value: object) -> list[str]:
    """Authors from a list or a "A, B and C" / "A; B" string, de-duplicated, order kept."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(r"\s*(?:;|,|\band\b|&|\|)\s*", value)
    elif isinstance(value, (list, tuple)):
        parts = []
        for item in value:
            if isinstance(item, dict):
                item = item.get("name") or ""
            parts.extend(split_authors(item) if isinstance(item, str) and ";" in item else [item])
    else:
        return []
    seen: dict[str, None] = {}
    for part in parts:
        name = " ".join(str(part).split())
        if name and len(name) > 1:
            seen.setdefault(name, None)
    return list(seen)


def clean_field(value: object) -> str | None:
    """A metadata value as a stripped string, or None when absent or blank."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = " ".join(str(value).split())
    return text or None
