"""Canonical entities: every alias group of the gold spec resolves to one entity, across documents."""

from __future__ import annotations

import re

import pytest

from claimgraph.annotate.entities import alias_key, load_alias_table, resolve_mentions
from claimgraph.model import fold_quotes


def test_alias_key_folds_transliteration_variants():
    assert (
        alias_key("Hashd al-Sha'abi")
        == alias_key("Hashd al-Shaabi")
        == alias_key("Hashd al-Sha\u2019abi")
    )
    assert alias_key("el-Moussavi") == alias_key("al Mousavi") == alias_key("Al-Moussavi")
    assert alias_key("the Americans") == alias_key("Americans")
    assert alias_key("Iraq's") == alias_key("Iraq")
    assert alias_key("ISIS") != alias_key("ISIL")


def test_acronym_and_surname_resolution_within_a_document():
    text = "Popular Mobilization Units (PMU) fighters met Hashem al-Moussavi. Later al-Moussavi spoke to the PMU."
    spans = [
        (0, 26, "Popular Mobilization Units", "ORG"),
        (28, 31, "PMU", "ORG"),
        (46, 64, "Hashem al-Moussavi", "PERSON"),
        (72, 83, "al-Moussavi", "ORG"),
        (96, 99, "PMU", "ORG"),
    ]
    # A table without the PMU group: the acronym rule alone must merge it.
    from claimgraph.annotate.entities import AliasTable

    mentions, entities = resolve_mentions(spans, text, AliasTable.from_groups([]))
    keys = {m.text: m.entity_key for m in mentions}
    assert keys["PMU"] == keys["Popular Mobilization Units"]
    assert keys["al-Moussavi"] == keys["Hashem al-Moussavi"]
    assert entities[keys["al-Moussavi"]].type == "PERSON"
    assert len(entities) == 2


def test_alias_table_is_data_and_extendable(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("- name: Asa'ib Ahl al-Haq\n  type: ORG\n  aliases: [Asa'eb al-Haq, AAH]\n")
    table = load_alias_table((str(extra),))
    assert table.lookup("Asa\u2019eb al-Haq").name == "Asa'ib Ahl al-Haq"
    assert table.lookup("Daesh") is None  # only the given file
    seeded = load_alias_table()
    assert seeded.lookup("Daesh").name == seeded.lookup("ISIL").name


def _occurs(spelling: str, texts: list[str]) -> bool:
    pattern = re.compile(r"(?<![\w-])" + re.escape(fold_quotes(spelling)) + r"(?![\w-])")
    return any(pattern.search(fold_quotes(t)) for t in texts)


def test_every_gold_alias_group_is_one_entity(gold, sample_db, connect_db):
    conn = connect_db(sample_db)
    texts = [r[0] for r in conn.execute("SELECT text FROM documents")]
    mentions = conn.execute("SELECT text, entity_id FROM mentions").fetchall()
    for group in gold["aliases"]:
        found: dict[str, set[str]] = {}
        for spelling in group:
            if not _occurs(spelling, texts):
                continue
            ids = {eid for text, eid in mentions if alias_key(text) == alias_key(spelling)}
            assert ids, f"{spelling!r} occurs in the sample but is not an entity mention"
            found[spelling] = ids
        assert len(found) >= 2 or len(group) == len(found), f"group {group} barely occurs: {found}"
        all_ids = set().union(*found.values())
        assert len(all_ids) == 1, f"alias group {group} split into {found}"


@pytest.mark.parametrize(
    "name,expected_documents",
    [("Popular Mobilization Units", 3), ("Fars News Agency", 2), ("ISIS", 5)],
)
def test_entities_merge_across_documents(sample_db, connect_db, name, expected_documents):
    conn = connect_db(sample_db)
    rows = conn.execute(
        "SELECT id, documents FROM entity_overview WHERE name = ?", (name,)
    ).fetchall()
    assert len(rows) == 1, rows
    assert rows[0][1] >= expected_documents
