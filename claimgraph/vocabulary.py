"""The one vocabulary registry: every word list and pattern file claimgraph reads.

Vocabularies are data, not code: `claimgraph/data/NAME.yaml` (cues, anonymous, hedges, evidence,
roles, outlets, actions, timeline, furniture, metadata_lines, checkable, ...). A user extends any of
them without touching code by putting a file of the same name in a folder of their own and
passing it to `claimgraph analyze --vocab DIR` (repeatable), or by setting `CLAIMGRAPH_VOCAB` to
such folders (separated by `os.pathsep`). The user's file is merged over the shipped one:
mappings key by key, lists extended (duplicates dropped, order kept), other values replaced.

Why one place: three loaders used to read these files three ways, and the generic one lived in
the speaker module, so importing a vocabulary closed an import circle between stages.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

ENV = "CLAIMGRAPH_VOCAB"


class VocabularyError(ValueError):
    """A vocabulary file that cannot be used: named, with why."""


def shipped_names() -> list[str]:
    """The vocabularies claimgraph ships (the stems of claimgraph/data/*.yaml)."""
    folder = resources.files("claimgraph") / "data"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def user_dirs() -> tuple[str, ...]:
    """The user's vocabulary folders, from `CLAIMGRAPH_VOCAB` (what `--vocab` sets)."""
    return tuple(d for d in os.environ.get(ENV, "").split(os.pathsep) if d)


_DERIVED: list[Any] = []
_F = TypeVar("_F", bound=Callable[..., Any])


def derived(fn: _F) -> _F:
    """Cache a value computed from vocabularies (a compiled pattern, a word set) until the
    user's folders change: `use_dirs` forgets every such value, so no stage keeps words the
    folders no longer give."""
    cached = functools.cache(fn)
    _DERIVED.append(cached)
    return cached  # type: ignore[return-value]


def in_effect() -> dict[str, Any]:
    """Every vocabulary as this process reads it (shipped, with the user's folders merged)."""
    return {name: load_vocabulary(name) for name in shipped_names()}


def use_dirs(dirs: Iterable[str | Path]) -> None:
    """Make `dirs` the user's vocabulary folders for this process and its workers (which inherit
    the environment), and forget what was read before."""
    folders = [str(Path(d)) for d in dirs]
    for folder in folders:
        if not Path(folder).is_dir():
            raise VocabularyError(f"vocabulary folder {folder} does not exist")
    os.environ[ENV] = os.pathsep.join(folders)
    _read.cache_clear()
    for cached in _DERIVED:
        cached.cache_clear()


def merge(base: Any, extra: Any) -> Any:
    """`extra` over `base`: mappings merge key by key, lists extend, other values are replaced."""
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for key, value in extra.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    if isinstance(base, list) and isinstance(extra, list):
        seen = [*base]
        seen.extend(item for item in extra if item not in base)
        return seen
    return extra


def _yaml(text: str, where: str, like: type = dict) -> Any:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise VocabularyError(f"{where}: not valid YAML ({exc})") from exc
    data = like() if data is None else data
    if not isinstance(data, like):
        raise VocabularyError(f"{where}: expected a {like.__name__} at the top level")
    return data


def load_vocabulary(name: str) -> Any:
    """The vocabulary `name`: the shipped file with the user's files merged over it (read once
    per process and set of folders; callers must not change what they get)."""
    return _read(name, user_dirs())


@functools.cache
def _read(name: str, dirs: tuple[str, ...]) -> Any:
    shipped = resources.files("claimgraph") / "data" / f"{name}.yaml"
    text = shipped.read_text(encoding="utf-8")
    # A mapping of lists, mostly; alias tables are a list of groups (also read by --aliases).
    like = list if isinstance(yaml.safe_load(text), list) else dict
    data = _yaml(text, f"claimgraph/data/{name}.yaml", like)
    for folder in dirs:
        path = Path(folder) / f"{name}.yaml"
        if path.is_file():
            data = merge(data, _yaml(path.read_text(encoding="utf-8"), str(path), like))
    return data
