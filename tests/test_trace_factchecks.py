"""`show` and `trace` say when a claim has been fact-checked already (issue: fact-check linking)."""

from __future__ import annotations

from typer.testing import CliRunner

from claimgraph.cli import app
from claimgraph.store import Store
from claimgraph.store import schema as s
from claimgraph.store.database import now


def test_trace_and_show_print_the_linked_factcheck(linked_sample_db) -> None:
    db = str(linked_sample_db)
    with Store(db) as store:
        claim = store.query(
            "SELECT id, document_id, sentence_id, text FROM claims "
            "WHERE LOWER(text) LIKE '%choppers transporting%'"
        )[0]
        fc = {
            "id": "fc_test_trace",
            "claim_text": "U.S evacuated ISIS leaders and field commanders from Deir Ezzor",
            "claimant": "Fars",
            "rating": "false",
            "rating_original": "disinformation",
            "reviewer": "EUvsDisinfo",
            "review_date": "2017-09-01",
            "url": "https://euvsdisinfo.eu/report/example/",
            "format": "euvsdisinfo",
            "source": "test#1",
            "imported_at": now(),
        }
        possible = {
            **fc,
            "id": "fc_test_trace_possible",
            "claim_text": "Helicopters flew militants out of Raqqa",
            "reviewer": "Other Desk",
            "url": "https://other.example/check/2",
        }
        with store.engine.begin() as conn:
            conn.execute(s.factchecks.insert().values(**fc))
            conn.execute(
                s.factcheck_links.insert().values(
                    claim_id=claim["id"],
                    factcheck_id=fc["id"],
                    score=0.77,
                    rank=1,
                    claim_sentence_id=claim["sentence_id"],
                    claim_text=claim["text"],
                    factcheck_text=fc["claim_text"],
                    method="test",
                    linked_at=now(),
                    tier="confident",
                )
            )
            # a candidate below the cut-offs is shown too, labelled as a possible match
            conn.execute(s.factchecks.insert().values(**possible))
            conn.execute(
                s.factcheck_links.insert().values(
                    claim_id=claim["id"],
                    factcheck_id=possible["id"],
                    score=0.41,
                    rank=2,
                    claim_sentence_id=claim["sentence_id"],
                    claim_text=claim["text"],
                    factcheck_text=possible["claim_text"],
                    method="test",
                    linked_at=now(),
                    tier="possible",
                )
            )
        doc_id = claim["document_id"]
    try:
        runner = CliRunner()
        traced = runner.invoke(app, ["trace", claim["id"], "--db", db])
        assert traced.exit_code == 0, traced.output
        out = " ".join(traced.output.split())
        assert "fact-checked already: 1 fact-check(s)" in out
        assert (
            "EUvsDisinfo" in out and "disinformation" in out and "fact-checked · score 0.77" in out
        )
        assert "possible matches: 1 fact-check(s)" in out
        assert "possible match (score 0.41)" in out and "militants out of Raqqa" in out
        # the confident link comes first
        assert out.index("Deir Ezzor") < out.index("militants out of Raqqa")
        shown = runner.invoke(app, ["show", doc_id, "--db", db])
        assert shown.exit_code == 0, shown.output
        shown_out = " ".join(shown.output.split())
        assert "field commanders from Deir Ezzor" in shown_out
        assert "possible match (score 0.41)" in shown_out
    finally:
        with Store(db) as store, store.engine.begin() as conn:
            for fid in (fc["id"], possible["id"]):
                conn.execute(
                    s.factcheck_links.delete().where(s.factcheck_links.c.factcheck_id == fid)
                )
                conn.execute(s.factchecks.delete().where(s.factchecks.c.id == fid))
