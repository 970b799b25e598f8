"""Dates of the sample resolved as in the gold: publication dates, statement dates, estimates."""

from __future__ import annotations

from claimgraph.model import normalise_text


def _attribution_with(doc, text):
    needle = normalise_text(text)
    found = [a for a in doc.attributions if needle in normalise_text(a.content)]
    assert found, f"no attribution contains {text!r}"
    return found


def test_gold_publication_dates_and_no_guessed_days(gold, sample_docs):
    for name, spec in gold["documents"].items():
        doc = sample_docs[name]
        expected = spec.get("date")
        assert doc.date == (str(expected) if expected else None), name
        if expected:
            assert doc.date_earliest == doc.date_latest == str(expected)
            assert not doc.date_estimated
        elif doc.date_earliest or doc.date_latest:
            # an undated document may get a range, flagged as an estimate, never one exact day
            assert doc.date_estimated
            assert (
                doc.date_earliest is None
                or doc.date_latest is None
                or doc.date_earliest != doc.date_latest
            )


def test_gold_statement_dates(gold, sample_docs):
    checked = 0
    for name, spec in gold["documents"].items():
        for att in spec.get("attributions", []):
            if "date" not in att:
                continue
            dates = {a.date for a in _attribution_with(sample_docs[name], att["text"])}
            assert str(att["date"]) in dates, (att["text"], dates)
            checked += 1
    assert checked == 2


def test_relative_dates_in_undated_documents_stay_unresolved(sample_docs):
    doc = sample_docs["000_e103313fadd9311b.txt"]
    wednesday = [m for m in doc.dates if "Wednesday" in m.text]
    assert wednesday and all(m.earliest is None and m.precision == "unknown" for m in wednesday)
