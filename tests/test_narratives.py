"""Narratives on the sample: the gold narratives stay apart, adds are incremental, ids stable."""

from __future__ import annotations

import dataclasses
import importlib.util
import json

import pytest

from claimgraph.link.claims import Claim, extract_claims
from claimgraph.link.narratives import NarrativeIndex
from claimgraph.model import Document, normalise_text

# The gold file names, in the order the sample is read.
ORDER = (
    "000_e103313fadd9311b.txt",
    "001_8a7b11a6d13b6ce8.txt",
    "002_133a9d732627dffb.txt",
    "003_af66014484e4a442.txt",
    "004_7744a640d6660c16.txt",
)


@pytest.fixture(scope="session")
def encoder():
    import torch

    from claimgraph.link.embeddings import load_encoder

    torch.set_num_threads(1)
    return load_encoder()


@pytest.fixture(scope="session")
def claims_by_doc(sample_docs: dict[str, Document]) -> dict[str, list[Claim]]:
    """Claims per sample document, scored by the shipped scorer when there is one."""
    scorer = None
    if importlib.util.find_spec("claimgraph.link.checkworthiness") is not None:
        from claimgraph.link.checkworthiness import CheckworthinessScorer

        scorer = CheckworthinessScorer.load()
    out = {name: extract_claims(sample_docs[name], scorer) for name in ORDER}
    # Date the claims of the one dated article, so first/last seen have something to show.
    dated = sample_docs[ORDER[4]].date
    out[ORDER[4]] = [dataclasses.replace(c, date=dated) for c in out[ORDER[4]]]
    return out


@pytest.fixture(scope="session")
def all_claims(claims_by_doc) -> list[Claim]:
    return [c for name in ORDER for c in claims_by_doc[name]]


@pytest.fixture(scope="session")
def index(encoder, all_claims) -> NarrativeIndex:
    built = NarrativeIndex(encoder)
    built.add(all_claims)
    return built


@pytest.fixture(scope="session")
def gold_members(gold: dict, claims_by_doc) -> dict[int, list[Claim]]:
    """Gold narrative number -> the claims that contain its members' text."""
    members: dict[int, list[Claim]] = {}
    for number, narrative in enumerate(gold["narratives"]):
        found = []
        for name, text in narrative["members"]:
            hits = [
                c for c in claims_by_doc[name] if normalise_text(text) in normalise_text(c.text)
            ]
            assert hits, (name, text)
            found.extend(hits)
        members[number] = found
    return members


def _partition(index: NarrativeIndex, claims: list[Claim]) -> dict[str, str | None]:
    return {c.id: index.narrative_of(c.id) for c in claims}


def test_no_narrative_mixes_two_gold_narratives(index, gold_members) -> None:
    owner: dict[str, set[int]] = {}
    for number, claims in gold_members.items():
        for claim in claims:
            owner.setdefault(index.narrative_of(claim.id) or "", set()).add(number)
    assert all(len(numbers) == 1 for numbers in owner.values()), owner


@pytest.mark.parametrize("number", [0, 1, 2])
def test_gold_narrative_comes_out_as_one_narrative(index, gold_members, number: int) -> None:
    ids = {index.narrative_of(c.id) for c in gold_members[number]}
    assert len(ids) == 1, ids
    reported = {n.id: n for n in index.narratives()}
    (only,) = ids
    assert only in reported
    assert {c.id for c in gold_members[number]} <= set(reported[only].claim_ids)


def test_one_document_at_a_time_equals_all_at_once(encoder, claims_by_doc, index, all_claims):
    stepwise = NarrativeIndex(encoder)
    for name in ORDER:
        stepwise.add(claims_by_doc[name])
    assert _partition(stepwise, all_claims) == _partition(index, all_claims)
    assert [n.id for n in stepwise.narratives()] == [n.id for n in index.narratives()]


def test_narratives_keep_their_ids_as_documents_arrive(encoder, claims_by_doc, all_claims):
    growing = NarrativeIndex(encoder)
    for name in ORDER[:3]:
        growing.add(claims_by_doc[name])
    early = [c for name in ORDER[:3] for c in claims_by_doc[name]]
    before = _partition(growing, early)
    members_before = {n.id: set(n.claim_ids) for n in growing.narratives()}
    for name in ORDER[3:]:
        growing.add(claims_by_doc[name])
    assert _partition(growing, early) == before  # no earlier assignment was revisited
    after = {n.id: set(n.claim_ids) for n in growing.narratives()}
    for narrative_id, members in members_before.items():
        assert members <= after[narrative_id]


def test_reverse_order_still_keeps_gold_narratives_apart(encoder, claims_by_doc, gold_members):
    """Online clustering depends on order; the property that must hold in any order is that
    no narrative mixes two gold narratives."""
    reverse = NarrativeIndex(encoder)
    for name in reversed(ORDER):
        reverse.add(claims_by_doc[name])
    owner: dict[str, set[int]] = {}
    for number, claims in gold_members.items():
        for claim in claims:
            owner.setdefault(reverse.narrative_of(claim.id) or "", set()).add(number)
    assert all(len(numbers) == 1 for numbers in owner.values())


def test_adding_the_same_claims_again_changes_nothing(encoder, claims_by_doc, index, all_claims):
    again = NarrativeIndex.from_state(index.state(), encoder)
    again.add(claims_by_doc[ORDER[1]])
    assert len(again) == len(all_claims)
    assert _partition(again, all_claims) == _partition(index, all_claims)


def test_state_round_trip_carries_on_where_it_stopped(encoder, claims_by_doc, index, all_claims):
    first = NarrativeIndex(encoder)
    for name in ORDER[:2]:
        first.add(claims_by_doc[name])
    saved = json.loads(json.dumps(first.state()))
    resumed = NarrativeIndex.from_state(saved, encoder)
    for name in ORDER[2:]:
        resumed.add(claims_by_doc[name])
    assert _partition(resumed, all_claims) == _partition(index, all_claims)
    # Encoding in other batches moves vectors by float rounding only: compare cohesion loosely.
    ours, theirs = resumed.narratives(), index.narratives()
    assert [dataclasses.replace(n, cohesion=0.0) for n in ours] == [
        dataclasses.replace(n, cohesion=0.0) for n in theirs
    ]
    assert [n.cohesion for n in ours] == pytest.approx([n.cohesion for n in theirs], abs=1e-5)


def test_state_refuses_another_encoder(encoder, index) -> None:
    class Other:
        name = "another-model"
        dim = encoder.dim

        def encode(self, texts):
            raise AssertionError("not called")

    with pytest.raises(ValueError, match="another-model"):
        NarrativeIndex.from_state(index.state(), Other())


def test_approximate_search_agrees_with_exact_on_the_sample(encoder, index, all_claims):
    approximate = NarrativeIndex(encoder, exact_search_limit=0)
    approximate.add(all_claims)
    assert _partition(approximate, all_claims) == _partition(index, all_claims)


def test_narrative_fields_come_from_its_claims(index, all_claims) -> None:
    by_id = {c.id: c for c in all_claims}
    narratives = index.narratives()
    assert narratives
    for narrative in narratives:
        members = [by_id[i] for i in narrative.claim_ids]
        assert len(members) >= 2
        assert narrative.label_claim_id in narrative.claim_ids
        assert narrative.label == by_id[narrative.label_claim_id].text
        assert narrative.document_ids == list(dict.fromkeys(c.document_id for c in members))
        assert set(narrative.speakers) == {c.speaker for c in members if c.speaker}
        dates = sorted(c.date for c in members if c.date)
        assert (narrative.first_seen, narrative.last_seen) == (
            (dates[0], dates[-1]) if dates else (None, None)
        )
        assert narrative.anonymous_share == sum(c.anonymous for c in members) / len(members)
        assert narrative.hedged_share == sum(c.hedged for c in members) / len(members)
        assert narrative.evidence_not_shown_share == sum(
            c.evidence_not_shown for c in members
        ) / len(members)
        assert 0.0 < narrative.cohesion <= 1.0 + 1e-9


def test_withdrawal_narrative_is_dated_and_attributed(index, gold_members) -> None:
    (narrative_id,) = {index.narrative_of(c.id) for c in gold_members[2]}
    narrative = next(n for n in index.narratives() if n.id == narrative_id)
    assert narrative.first_seen == narrative.last_seen == "2021-07-28"
    assert "Qassem al-Kuraiti" in narrative.speakers


def test_cross_document_filter(index) -> None:
    wide = index.narratives(min_documents=2)
    assert all(len(n.document_ids) >= 2 for n in wide)
    assert {n.id for n in wide} <= {n.id for n in index.narratives()}


def test_action_classes_of_the_gold_members(gold_members) -> None:
    """Every retelling of the airdrop narrative names a supply act, every retelling of the
    helicopter one a transport act, and the withdrawal claims a withdrawal: the act is what
    tells the two US-ISIS narratives apart (claimgraph.link.frames)."""
    from claimgraph.link.frames import default_actions

    actions = default_actions()
    expected = {0: "supply", 1: "transport", 2: "withdraw"}
    for number, claims in gold_members.items():
        for claim in claims:
            found = actions.find(claim.text)
            assert expected[number] in found, (claim.text, found)
            assert set(expected.values()) - {expected[number]} - set(found) == (
                set(expected.values()) - {expected[number]}
            ), (claim.text, found)


def test_action_vocabulary_inflections_and_phrasal_verbs() -> None:
    from claimgraph.link.frames import default_actions

    find = default_actions().find
    assert find("The planes airdropped crates") == ["supply"]
    assert find("they took the ISIS commanders away from Tal Afar") == ["transport"]
    assert find("Washington supplied the militants") == ["supply"]
    assert find("no intention of pulling out any troops") == ["withdraw"]
    assert find("The minister said it was a nice day") == []


def test_without_actions_the_two_narratives_split(encoder, all_claims, gold_members) -> None:
    """What the action bonus is for: on text embeddings alone (action_weight=0), the airdrop
    and helicopter narratives come out in pieces (the limit all-MiniLM-L6-v2 has here)."""
    plain = NarrativeIndex(encoder, action_weight=0.0)
    plain.add(all_claims)
    pieces = {n: len({plain.narrative_of(c.id) for c in gold_members[n]}) for n in (0, 1)}
    assert pieces[0] > 1 and pieces[1] > 1, pieces


def test_state_without_action_settings_loads(encoder, index, all_claims) -> None:
    """A state saved before action frames existed (no action keys) loads and carries on."""
    old = {k: v for k, v in index.state().items() if not k.startswith("action_")}
    again = NarrativeIndex.from_state(old, encoder)
    assert _partition(again, all_claims) == _partition(index, all_claims)
