"""glibc's malloc is set for a long analyze in every process that does the work (issue 13:
flat memory): the writer and each worker process fix the mmap threshold
(`claimgraph.engine.run.tune_malloc`).

The probe asks glibc itself: a 30 MB block freed raises glibc's dynamic threshold to 30 MB,
so a 25 MB block then comes from the heap, unless the threshold was fixed at 4 MB, in which
case it is mmapped (bit 2 of the size word before the block). (A 6 MB block, as the probe
first used, can come out of a chunk a worker freed while it loaded its models, whatever the
threshold: the full suite failed on it once in session 19; a free chunk of 25 MB is rarer.)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from claimgraph.annotate.nlp import DEFAULT_MODEL
from claimgraph.engine import local

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or ctypes.util.find_library("c") is None,
    reason="the malloc settings are glibc's",
)

REPO = Path(__file__).resolve().parents[1]


def large_block_is_mmapped(_: object = None) -> bool:
    """Whether glibc mmaps a 25 MB block right after a 30 MB one was freed."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.free(libc.malloc(30 << 20))
    block = libc.malloc(25 << 20)
    word = ctypes.c_size_t.from_address(block - ctypes.sizeof(ctypes.c_size_t)).value
    libc.free(block)
    return bool(word & 2)


def _in_fresh_python(code: str) -> str:
    """What `code` then the probe print in a new interpreter (glibc's settings untouched)."""
    probe = inspect.getsource(large_block_is_mmapped)
    script = f"import ctypes\nimport ctypes.util\n{probe}\n{code}\nprint(large_block_is_mmapped())"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def test_the_probe_tells_the_default_from_the_setting():
    """Without the setting the block comes from the heap: the probe can fail."""
    assert _in_fresh_python("") == "False"


def test_a_run_sets_malloc_in_the_writer(tmp_path):
    """A `Run` (the writer of every analyze, either engine) fixes the threshold in its process."""
    code = (
        "from claimgraph.engine.run import Run, RunSummary\n"
        "from claimgraph.store import Store\n"
        f"with Store({str(tmp_path / 's.db')!r}) as store:\n"
        "    Run(store, RunSummary(model='m'))"
    )
    assert _in_fresh_python(code) == "True"


def test_a_worker_process_sets_malloc_as_it_loads():
    """Worker processes (spawned: the parent's settings do not carry over) fix it too."""
    with local.WorkerPool(1, local.WorkerSettings(model=DEFAULT_MODEL)) as pool:
        assert pool._pool.apply(large_block_is_mmapped) is True
