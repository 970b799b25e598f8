"""RSS growth of the default ONNX encoder over many news sentences, by onnxruntime option.

    .venv/bin/python bench/encoder_memory.py MODE [N]
    MODE: shipped (the options claimgraph sets) | pattern (memory pattern back on) |
          noarena (no CPU arena) | pattern-noarena | noprepack (weights not prepacked)

Run each mode in its own process (peaks are per process): N sentences of the news sample
(default 6,000), 32 at a time as the linker sends them. Prints RSS every 1,280 sentences, then
start, end and peak RSS and CPU seconds, and saves the vectors to /tmp/encoder_memory_MODE.npy
so modes can be compared (they must be identical).
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from claimgraph.link import embeddings  # noqa: E402

NEWS = REPO.parent / "shared" / "data" / "news" / "allsides_sample5000.jsonl"
MODES = ("shipped", "pattern", "noarena", "pattern-noarena", "noprepack")


def rss_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def sentences(n: int) -> list[str]:
    texts: list[str] = []
    with NEWS.open(encoding="utf-8") as records:
        for line in records:
            body = json.loads(line).get("content_original") or ""
            texts += [s for s in re.split(r"(?<=[.!?])\s+", body) if 20 < len(s) < 600]
            if len(texts) >= n:
                break
    return texts[:n]


def with_mode(mode: str) -> None:
    """Change the session options claimgraph passes, just before the session starts."""
    import onnxruntime as ort

    real = ort.InferenceSession

    def session(graph: Any, options: Any, **kwargs: Any) -> Any:
        if "pattern" in mode:
            options.enable_mem_pattern = True
        if "noarena" in mode:
            options.enable_cpu_mem_arena = False
        if mode == "noprepack":
            options.add_session_config_entry("session.disable_prepacking", "1")
        return real(graph, options, **kwargs)

    ort.InferenceSession = session  # type: ignore[misc]


def main(argv: list[str]) -> None:
    mode = argv[0] if argv else "shipped"
    n = int(argv[1]) if len(argv) > 1 else 6000
    if mode not in MODES:
        sys.exit(f"MODE is one of {', '.join(MODES)}")
    if not NEWS.is_file():
        sys.exit(f"{NEWS.parent} is missing")
    texts = sentences(n)
    with_mode(mode)
    encoder = embeddings.load_encoder(embeddings.DEFAULT_EMBEDDING_MODEL)
    print(encoder.source if hasattr(encoder, "source") else encoder.name)
    before = rss_mb()
    encoder.encode(["warm up"])
    start, cpu = rss_mb(), time.process_time()
    print(f"{mode}: the session's start took {start - before} MB")
    out = []
    for i in range(0, len(texts), 32):
        out.append(encoder.encode(texts[i : i + 32], batch_size=32))
        if (i // 32) % 40 == 0:
            print(f"{mode} {i} sentences: {rss_mb()} MB", flush=True)
    np.save(f"/tmp/encoder_memory_{mode}.npy", np.vstack(out))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"{mode}: start {start} MB, end {rss_mb()} MB, peak {peak} MB, "
        f"CPU {time.process_time() - cpu:.1f} s for {len(texts)} sentences"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
