"""Per-claim state of the narrative index, kept off the Python heap so a run's memory stays flat.

A linking run holds every claim of the corpus: at 20,000 news articles nearly a million. What
the link test reads of a claim (its id, text, content words, anchors, figures, predicates,
flags, codes) is written once, as one `marshal` record per row, to an anonymous temporary file
and read back with `os.pread` for the few dozen neighbours each new claim is tested against.
Plain reads, not a lasting memory map: mapped pages count in the process's resident memory
once touched, read pages only in the kernel's page cache. The unit vectors of anchored rows go
to a second file at a fixed offset per row, rounded to float16 (what the neighbour search
compares); reads gather them through a map that is closed after a few thousand rows, so what
they touch leaves the process again.

What stays in memory per claim is a few bytes: the record's offset, and a 64-bit hash of its
id for `IdMap`. A run's files live as long as its index and are removed when it is closed or
the process ends (`tempfile.TemporaryFile`): the store's tables stay the only saved state.
"""

from __future__ import annotations

import hashlib
import marshal
import mmap
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
# Vector rows read through one map before it is closed: what reads add to the resident set
# (at most two pages a row: 32 MB; about 1.4 on average).
_MAP_ROWS = 4096
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
        self._map: mmap.mmap | None = None
        self._view: np.ndarray | None = None
        self._served = 0  # rows read through the current map

    def write(self, rows: Sequence[int], vectors: np.ndarray) -> None:
        """Write vectors for rows (runs of consecutive rows in one call each)."""
        data = np.asarray(vectors, dtype=np.float16).astype(np.float32)
        i = 0
        while i < len(rows):
            j = i + 1
            while j < len(rows) and rows[j] == rows[j - 1] + 1:
                j += 1
            os.pwrite(self._fd, data[i:j].tobytes(), rows[i] * self._width)
            i = j

    def read(self, rows: Sequence[int]) -> np.ndarray:
        """The vectors of these rows (each written before), as float32, in the order given.
        Gathered by numpy through a map of the file, kept open for `_MAP_ROWS` rows: a search
        re-ranks hundreds of rows, and a read call per row cost four to five times the CPU,
        a map per call as much for a few dozen rows (docs/performance.md)."""
        wanted = np.asarray(rows, dtype=np.int64).reshape(-1)
        out = np.empty((len(wanted), self.dim), dtype=np.float32)
        if not len(wanted):
            return out
        if int(wanted.min()) < 0:
            raise IndexError("negative vector row")
        for start in range(0, len(wanted), _MAP_ROWS):
            part = wanted[start : start + _MAP_ROWS]
            # no name kept for the view: a map with an array still on it cannot close
            out[start : start + len(part)] = self._view_of(int(part.max()), len(part))[part]
        return out

    def _view_of(self, last: int, count: int) -> np.ndarray:
        """The mapped rows, remapped when `last` lies past the map (the file has grown) or when
        the map has served `_MAP_ROWS` rows (its touched pages then leave the process)."""
        if self._view is None or last >= len(self._view) or self._served + count > _MAP_ROWS:
            self._unmap()
            size = os.fstat(self._fd).st_size
            if last >= size // self._width:
                raise IndexError(f"vector row {last} never written ({size // self._width} rows)")
            self._map = mmap.mmap(self._fd, size, prot=mmap.PROT_READ)
            self._view = np.frombuffer(self._map, dtype=np.float32).reshape(-1, self.dim)
        self._served += count
        return self._view

    def _unmap(self) -> None:
        self._view = None  # the map closes only once no array looks into it
        if self._map is not None:
            self._map.close()
        self._map, self._served = None, 0

    def close(self) -> None:
        self._unmap()
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
