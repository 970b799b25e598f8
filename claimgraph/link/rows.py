"""Per-claim state of the narrative index, kept off the Python heap so a run's memory stays flat.

A linking run holds every claim of the corpus: at 20,000 news articles nearly a million. What
the link test reads of a claim (its id, text, content words, anchors, figures, predicates,
flags, codes) is written once, as one `marshal` record per row, to an anonymous temporary file
and read back with `os.pread` for the few dozen neighbours each new claim is tested against.
Plain reads, not a memory map: mapped pages count in the process's resident memory once
touched, read pages only in the kernel's page cache (and the kernel maps a neighbourhood of
pages around each touched one: a map that gathered 4,096 scattered vectors added 436 MB to the
resident set here). The unit vectors of anchored rows go to a second file at a fixed offset per
row, rounded to float16 (what the neighbour search compares).

What stays in memory per claim is a few bytes: the record's offset, and a 64-bit hash of its
id for `IdMap`. A run's files live as long as its index and are removed when it is closed or
the process ends (`tempfile.TemporaryFile`): the store's tables stay the only saved state.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

# Records written but not yet flushed to the file are read from this buffer; it is flushed when
# it holds this many bytes, or by `flush` (after every add).
_BUFFER = 1 << 20
# Rows read recently, kept decoded: the link test reads the same new rows many times in a batch.
_CACHE_ROWS = 4096
# Vectors read lately, kept as read (1.5 KB each for MiniLM: at most ~12 MB).
_VECTOR_CACHE_ROWS = 8192
# Ids added since the last compaction stay in a dict; then they join the sorted arrays.
_RECENT = 8192


class RowFile:
    """Append-only records (tuples of ints, strings, bytes and tuples), one per row."""

    def __init__(self, directory: str | None = None) -> None:
        self._file = tempfile.TemporaryFile(prefix="claimgraph-rows-", dir=directory)  # noqa: SIM115 - lives with the index
        self._fd = self._file.fileno()
        self._at = array("q", [0])  # row r's record is bytes _at[r]:_at[r + 1] of the file
        self._flushed = 0  # rows already in the file; later ones are in _pending
        self._pending = bytearray()
        self._cache: dict[int, tuple[Any, ...]] = {}

    def __len__(self) -> int:
        return len(self._at) - 1

    def append(self, record: tuple[Any, ...]) -> int:
        row = len(self)
        data = marshal.dumps(record)
        self._pending.extend(data)
        self._at.append(self._at[-1] + len(data))
        if len(self._pending) >= _BUFFER:
            self.flush()
        return row

    def flush(self) -> None:
        if self._pending:
            os.pwrite(self._fd, self._pending, self._at[self._flushed])
            self._pending = bytearray()
            self._flushed = len(self)

    def get(self, row: int) -> tuple[Any, ...]:
        cached = self._cache.get(row)
        if cached is not None:
            return cached
        start, end = self._at[row], self._at[row + 1]
        if row >= self._flushed:
            base = self._at[self._flushed]
            data = bytes(self._pending[start - base : end - base])
        else:
            data = os.pread(self._fd, end - start, start)
        record = marshal.loads(data)
        if len(self._cache) >= _CACHE_ROWS:
            self._cache.clear()
        self._cache[row] = record
        return record

    def close(self) -> None:
        self._file.close()


class VectorFile:
    """Unit vectors at row * dim * 4 in a sparse temporary file: rows never written (claims
    without anchors, which are never searched) take no disk space. Values are rounded to
    float16 (what the graph holds and compares) but kept as float32, so a read converts
    nothing: a search re-ranks hundreds of them."""

    def __init__(self, dim: int, directory: str | None = None) -> None:
        self.dim = dim
        self._width = dim * 4
        self._file = tempfile.TemporaryFile(prefix="claimgraph-vectors-", dir=directory)  # noqa: SIM115
        self._fd = self._file.fileno()
        self._cache: dict[int, bytes] = {}

    def write(self, rows: Sequence[int], vectors: np.ndarray) -> None:
        """Write vectors for rows (runs of consecutive rows in one call each)."""
        data = np.asarray(vectors, dtype=np.float16).astype(np.float32)
        for row in rows:
            self._cache.pop(int(row), None)
        i = 0
        while i < len(rows):
            j = i + 1
            while j < len(rows) and rows[j] == rows[j - 1] + 1:
                j += 1
            os.pwrite(self._fd, data[i:j].tobytes(), rows[i] * self._width)
            i = j

    def read(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """The vectors of these rows (each written before), as float32, in the order given.
        Rows read lately come from a small cache: a search's re-rank reads its candidates, and
        the link test then reads the neighbours among them."""
        cache, width, fd = self._cache, self._width, self._fd
        wanted = np.asarray(rows, dtype=np.int64).reshape(-1).tolist()
        if len(cache) + len(wanted) > _VECTOR_CACHE_ROWS:  # the rows read last stay cached
            cache.clear()
        parts = []
        for row in wanted:
            data = cache.get(row)
            if data is None:
                data = os.pread(fd, width, row * width) if row >= 0 else b""
                if len(data) != width:
                    raise IndexError(f"vector row {row} was never written")
                cache[row] = data
            parts.append(data)
        return np.frombuffer(b"".join(parts), np.float32).reshape(len(parts), self.dim)

    def close(self) -> None:
        self._file.close()


def _hash(claim_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(claim_id.encode(), digest_size=8).digest(), "little")


class IdMap:
    """Claim id -> candidate rows, by a 64-bit hash of the id (12 bytes a claim, not a dict
    entry and a string): the caller checks a candidate's id in its record, so a collision
    costs a read, never a wrong answer."""

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.uint64)  # sorted
        self._rows = np.empty(0, dtype=np.int32)
        self._recent: dict[int, list[int]] = {}

    def add(self, claim_id: str, row: int) -> None:
        self._recent.setdefault(_hash(claim_id), []).append(row)
        if len(self._recent) >= _RECENT:
            self._compact()

    def candidates(self, claim_id: str) -> Iterable[int]:
        key = _hash(claim_id)
        lo = int(np.searchsorted(self._keys, np.uint64(key), side="left"))
        hi = lo
        while hi < len(self._keys) and int(self._keys[hi]) == key:
            hi += 1
        yield from (int(r) for r in self._rows[lo:hi])
        yield from self._recent.get(key, ())

    def _compact(self) -> None:
        pairs = [(k, r) for k, rows in self._recent.items() for r in rows]
        keys = np.concatenate([self._keys, np.fromiter((k for k, _ in pairs), np.uint64)])
        rows = np.concatenate([self._rows, np.fromiter((r for _, r in pairs), np.int32)])
        order = np.argsort(keys, kind="stable")
        self._keys, self._rows = keys[order], rows[order]
        self._recent = {}
