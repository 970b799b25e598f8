"""The shared quality floors file (eval/floors.yaml): read it, and pin one script's keys in it.

Every eval script pins its own keys; a read-modify-write of only those lines keeps the other
scripts' keys and the comments as they are.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import yaml

FLOORS = Path(__file__).resolve().parent / "floors.yaml"


def read_floors(path: Path = FLOORS) -> dict[str, float]:
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): float(v) for k, v in data.items()}


def pin_floors(values: dict[str, float], path: Path = FLOORS) -> None:
    """Set these keys in the flat floors file, read right before writing; other lines kept."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    for key, value in values.items():
        # Rounded down: a floor rounded up (0.6377 -> 0.638) fails the very run that pinned it.
        line = f"{key}: {math.floor(value * 1000 + 1e-9) / 1000:.3f}"
        pattern = re.compile(rf"^{re.escape(key)}\s*:")
        for i, existing in enumerate(lines):
            if pattern.match(existing):
                lines[i] = line
                break
        else:
            lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
