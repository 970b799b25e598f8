"""One vocabulary registry: users extend any shipped vocabulary from a folder of their own."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from claimgraph import vocabulary
from claimgraph.annotate.attribution import load_cues
from claimgraph.cli import app
from claimgraph.store import Store


@pytest.fixture
def restore_vocabulary(monkeypatch):
    """Each test sets its own folders; caches built on them are dropped afterwards."""
    monkeypatch.delenv(vocabulary.ENV, raising=False)
    yield
    monkeypatch.delenv(vocabulary.ENV, raising=False)
    vocabulary.use_dirs([])  # forgets every value built on the test's folders


def test_every_shipped_vocabulary_loads_through_the_registry() -> None:
    names = vocabulary.shipped_names()
    assert {"cues", "anonymous", "timeline", "furniture", "metadata_lines"} <= set(names)
    for name in names:
        assert isinstance(vocabulary.load_vocabulary(name), dict | list), name


def test_user_files_merge_over_shipped_ones(tmp_path, restore_vocabulary) -> None:
    (tmp_path / "anonymous.yaml").write_text("head_nouns: [pundits, sources]\n", encoding="utf-8")
    shipped = vocabulary.load_vocabulary("anonymous")["head_nouns"]
    vocabulary.use_dirs([tmp_path])
    merged = vocabulary.load_vocabulary("anonymous")["head_nouns"]
    assert merged[: len(shipped)] == shipped and merged.count("sources") == 1
    assert merged[-1] == "pundits"


def test_a_broken_or_missing_user_vocabulary_is_named(tmp_path, restore_vocabulary) -> None:
    with pytest.raises(vocabulary.VocabularyError, match="does not exist"):
        vocabulary.use_dirs([tmp_path / "nowhere"])
    (tmp_path / "hedges.yaml").write_text("- just a list\n", encoding="utf-8")
    vocabulary.use_dirs([tmp_path])
    with pytest.raises(vocabulary.VocabularyError, match="hedges.yaml"):
        vocabulary.load_vocabulary("hedges")


def test_analyze_vocab_adds_a_reporting_verb_the_rules_use(tmp_path, restore_vocabulary) -> None:
    """A verb no shipped list has ("groused") becomes a cue through `--vocab`."""
    words = tmp_path / "vocab"
    words.mkdir()
    (words / "cues.yaml").write_text("speech_verbs: [grouse]\n", encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text(
        "Pier closure\n\n"
        "The harbour master groused that the pier would never reopen under this council.\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    counts = []
    for name, extra in (("plain.db", []), ("extended.db", ["--vocab", str(words)])):
        load_cues.cache_clear()
        db = tmp_path / name
        args = ["analyze", str(article), "--no-link", "--quiet", "--attribution", "rules"]
        result = runner.invoke(app, [*args, "--db", str(db), *extra])
        assert result.exit_code == 0, result.output
        with Store(db) as store:
            rows = store.query("SELECT cue, extractor FROM attributions")
        counts.append([(r["cue"], r["extractor"]) for r in rows])
    assert counts[0] == [] and counts[1] == [("groused", "rules")]


def test_a_saved_pipeline_keeps_its_vocabularies(tmp_path, restore_vocabulary) -> None:
    """`nlp.to_disk` writes the vocabularies in effect; a pipeline loaded from that folder reads
    them though the user's folder is gone, and `use_dirs` drops cached derived words."""
    import spacy

    from claimgraph.annotate.nlp import load_nlp

    words = tmp_path / "vocab"
    words.mkdir()
    (words / "cues.yaml").write_text("speech_verbs: [grouse]\n", encoding="utf-8")
    text = "The harbour master groused that the pier would never reopen under this council."

    def cues(nlp) -> list[str]:
        return [a.cue for a in nlp(text)._.cg_attributions]

    vocabulary.use_dirs([words])
    nlp = load_nlp(attribution="rules")
    assert cues(nlp) == ["groused"]
    nlp.to_disk(tmp_path / "pipeline")
    assert (
        "grouse"
        in (tmp_path / "pipeline" / "claimgraph_attributions" / "vocab" / "cues.yaml").read_text()
    )

    vocabulary.use_dirs([])  # the user's folder is gone: the words with it
    assert cues(load_nlp(attribution="rules")) == []
    assert cues(spacy.load(tmp_path / "pipeline")) == ["groused"]
