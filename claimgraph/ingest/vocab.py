"""The cleaning vocabularies (page furniture, self-labels, byline and reprint patterns) as data.

The word lists live in YAML under claimgraph/data/ so users extend them without touching code:
`load_vocabulary(extra=[my.yaml])` merges their files over the shipped ones (mappings merge,
lists are appended, scalars replaced). Everything is compiled once into a frozen `Vocabulary`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from claimgraph.vocabulary import load_vocabulary as shipped_vocabulary
from claimgraph.vocabulary import merge, user_dirs

VOCABULARY_FILES = ("furniture.yaml", "self_labels.yaml", "metadata_lines.yaml")

_FLAGS = re.IGNORECASE


@dataclass(frozen=True, slots=True)
class FurnitureGroup:
    """One kind of furniture: its whole-line pattern and where it may be removed."""

    name: str
    pattern: re.Pattern[str]
    strict: bool
    tail_marker: bool


@dataclass(frozen=True, slots=True)
class ReprintPattern:
    role: str  # "reprinted_by" | "original"
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Compiled cleaning vocabulary; see the YAML files for what each part means."""

    furniture_max_words: int
    furniture: tuple[FurnitureGroup, ...]
    counter_line: re.Pattern[str]
    credit_max_words: int
    credit_prefix: re.Pattern[str]
    credit_words: frozenset[str]
    label_max_words: int
    labels: re.Pattern[str]
    byline_max_words: int
    bylines: tuple[re.Pattern[str], ...]
    date_line_max_words: int
    date_lines: tuple[re.Pattern[str], ...]
    desk_words: re.Pattern[str]
    reprint_max_words: int
    reprints: tuple[ReprintPattern, ...]
    dateline_max_outlet_words: int
    datelines: tuple[re.Pattern[str], ...]


def _alternation(patterns: Iterable[str], where: str, flags: int = _FLAGS) -> re.Pattern[str]:
    """One regex for a list of alternatives, so a line is tested once per group."""
    parts = [str(p) for p in patterns]
    for part in parts:
        _compile(part, where, flags)  # name the offending entry, not the joined blob
    joined = "|".join(f"(?:{p})" for p in parts) or r"(?!)"
    return _compile(joined, where, flags)


def _compile(pattern: str, where: str, flags: int = _FLAGS) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ValueError(f"bad regex in {where}: {pattern!r}: {exc}") from exc


def compile_vocabulary(raw: Mapping[str, Any]) -> Vocabulary:
    """Compile the merged YAML mapping; raises ValueError naming a bad entry."""
    furniture = raw["furniture"]
    groups = tuple(
        FurnitureGroup(
            name=name,
            pattern=_alternation(spec.get("patterns", []), f"furniture.groups.{name}"),
            strict=bool(spec.get("strict", True)),
            tail_marker=bool(spec.get("tail_marker", False)),
        )
        for name, spec in furniture["groups"].items()
    )
    credit = furniture["image_credit"]
    prefixes = sorted((re.escape(p) for p in credit["prefixes"]), key=len, reverse=True)
    labels = raw["self_labels"]
    byline = raw["byline"]
    date_line = raw["date_line"]
    reprint = raw["reprint"]
    dateline = raw["dateline"]
    return Vocabulary(
        furniture_max_words=int(furniture["max_words"]),
        furniture=groups,
        counter_line=_compile(furniture["counter_line"], "furniture.counter_line"),
        credit_max_words=int(credit["max_words"]),
        credit_prefix=_compile(
            rf"(?:{'|'.join(prefixes)})\s*(?:[:|/-]|(?:by|via|credit|courtesy)\b)",
            "furniture.image_credit.prefixes",
        ),
        credit_words=frozenset(w.casefold() for w in credit["credit_words"]),
        label_max_words=int(labels["max_words"]),
        labels=_alternation(labels["patterns"], "self_labels.patterns"),
        byline_max_words=int(byline["max_words"]),
        bylines=tuple(_compile(p, "byline.patterns") for p in byline["patterns"]),
        date_line_max_words=int(date_line["max_words"]),
        date_lines=tuple(_compile(p, "date_line.patterns") for p in date_line["patterns"]),
        desk_words=_alternation([rf"\b{w}\b" for w in raw["desk_words"]], "desk_words"),
        reprint_max_words=int(reprint["max_words"]),
        reprints=tuple(
            ReprintPattern(role=str(p["role"]), pattern=_compile(p["pattern"], "reprint.patterns"))
            for p in reprint["patterns"]
        ),
        dateline_max_outlet_words=int(dateline["max_outlet_words"]),
        # case-sensitive: a dateline's place is in capitals
        datelines=tuple(_compile(p, "dateline.patterns", 0) for p in dateline["patterns"]),
    )


def _read_yaml(text: str, where: str) -> dict[str, Any]:
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a mapping at the top level")
    return data


def load_vocabulary(extra: Iterable[str | Path] = ()) -> Vocabulary:
    """The shipped vocabularies, with the user's YAML files merged over them."""
    raw: dict[str, Any] = {}
    for name in VOCABULARY_FILES:  # each with the user's additions (claimgraph.vocabulary)
        raw = merge(raw, shipped_vocabulary(name.removesuffix(".yaml")))
    for path in extra:
        path = Path(path)
        raw = merge(raw, _read_yaml(path.read_text(encoding="utf-8"), str(path)))
    return compile_vocabulary(raw)


def default_vocabulary() -> Vocabulary:
    """The shipped vocabulary with the user's additions, compiled once per set of folders."""
    return _default(user_dirs())


@functools.cache
def _default(_dirs: tuple[str, ...]) -> Vocabulary:
    return load_vocabulary()
