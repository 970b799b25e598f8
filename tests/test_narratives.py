"""Narratives on the sample: gold narratives together and apart in any order, adds are
incremental, ids stable, retellings dated by when they were told."""

from __future__ import annotations

import importlib.util

import pytest

from claimgraph.link.claims import Claim, extract_claims
from claimgraph.link.frames import Roles, claim_roles
from claimgraph.link.narratives import ANCHOR_LABELS, NarrativeIndex, anchors_of
from claimgraph.link.stage import date_claims
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
    """Claims per sample document, scored by the shipped scorer when there is one, dated as
    the linking stage dates them."""
    scorer = None
    if importlib.util.find_spec("claimgraph.link.checkworthiness") is not None:
        from claimgraph.link.checkworthiness import CheckworthinessScorer

        scorer = CheckworthinessScorer.load()
    return {
        name: date_claims(sample_docs[name], extract_claims(sample_docs[name], scorer))
        for name in ORDER
    }


@pytest.fixture(scope="session")
def anchors(sample_docs, claims_by_doc) -> dict[str, frozenset[str]]:
    return {
        c.id: anchors_of(c, sample_docs[name].mentions)
        for name in ORDER
        for c in claims_by_doc[name]
    }


@pytest.fixture(scope="session")
def all_claims(claims_by_doc) -> list[Claim]:
    return [c for name in ORDER for c in claims_by_doc[name]]


def _mentions(doc: Document, claims: list[Claim]) -> dict[str, list[tuple[str, int, int]]]:
    """Each claim's anchor mentions in its own text, its speaker left out (as the store's
    claim_mentions gives them)."""
    return {
        c.id: [
            (m.entity_key, m.start - c.start, m.end - c.start)
            for m in sorted(doc.mentions, key=lambda m: m.start)
            if c.start <= m.start
            and m.end <= c.end
            and m.label in ANCHOR_LABELS
            and m.entity_key != c.speaker_entity_key
        ]
        for c in claims
    }


@pytest.fixture(scope="session")
def roles(sample_docs, claims_by_doc) -> dict[str, Roles]:
    """Who does what to whom, parsed from each claim's text (as relink does)."""
    mentions = {}
    for name in ORDER:
        mentions |= _mentions(sample_docs[name], claims_by_doc[name])
    return claim_roles([c for name in ORDER for c in claims_by_doc[name]], mentions)


def _built(encoder, claims_by_doc, anchors, roles, order=ORDER) -> NarrativeIndex:
    built = NarrativeIndex(encoder)
    for name in order:
        built.add(claims_by_doc[name], anchors, roles=roles)
    return built


@pytest.fixture(scope="session")
def index(encoder, claims_by_doc, anchors, roles) -> NarrativeIndex:
    return _built(encoder, claims_by_doc, anchors, roles)


@pytest.fixture(scope="session")
def reverse(encoder, claims_by_doc, anchors, roles) -> NarrativeIndex:
    return _built(encoder, claims_by_doc, anchors, roles, tuple(reversed(ORDER)))


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


def _groups(index: NarrativeIndex, claims: list[Claim]) -> set[frozenset[str]]:
    """The partition without its ids (ids follow the order claims came in; groups must not)."""
    out: dict[str | None, set[str]] = {}
    for claim in claims:
        out.setdefault(index.narrative_of(claim.id), set()).add(claim.id)
    return {frozenset(v) for v in out.values()}


@pytest.mark.parametrize("which", ["index", "reverse"])
def test_no_narrative_mixes_two_gold_narratives(request, which, gold_members) -> None:
    built = request.getfixturevalue(which)
    owner: dict[str, set[int]] = {}
    for number, claims in gold_members.items():
        for claim in claims:
            owner.setdefault(built.narrative_of(claim.id) or "", set()).add(number)
    assert all(len(numbers) == 1 for numbers in owner.values()), owner


@pytest.mark.parametrize("which", ["index", "reverse"])
@pytest.mark.parametrize("number", [0, 1, 2])
def test_gold_narrative_comes_out_as_one_narrative(request, which, gold_members, number) -> None:
    built = request.getfixturevalue(which)
    ids = {built.narrative_of(c.id) for c in gold_members[number]}
    assert len(ids) == 1, ids
    reported = {n.id: n for n in built.narratives()}
    (only,) = ids
    assert only in reported
    assert {c.id for c in gold_members[number]} <= set(reported[only].claim_ids)


def test_any_order_gives_the_same_narratives(
    index, reverse, encoder, claims_by_doc, anchors, roles
):
    """Links are a property of each pair, so the groups do not depend on the order claims came
    in (the sample's helicopter narrative used to split in reverse order)."""
    claims = [c for name in ORDER for c in claims_by_doc[name]]
    assert _groups(reverse, claims) == _groups(index, claims)
    shuffled = list(claims)
    import random

    random.Random(7).shuffle(shuffled)
    mixed = NarrativeIndex(encoder)
    for start in range(0, len(shuffled), 17):
        mixed.add(shuffled[start : start + 17], anchors, roles=roles)
    assert _groups(mixed, claims) == _groups(index, claims)


def test_one_document_at_a_time_equals_all_at_once(
    encoder, claims_by_doc, anchors, roles, index, all_claims
):
    at_once = NarrativeIndex(encoder)
    at_once.add(all_claims, anchors, roles=roles)
    assert _partition(at_once, all_claims) == _partition(index, all_claims)
    assert [n.id for n in at_once.narratives()] == [n.id for n in index.narratives()]


def test_narratives_keep_their_ids_as_documents_arrive(encoder, claims_by_doc, anchors, roles):
    """A candidate keeps its id as it grows; when a later claim joins two, the older id survives
    and the other is recorded as merged into it."""
    growing = NarrativeIndex(encoder)
    for name in ORDER[:3]:
        growing.add(claims_by_doc[name], anchors, roles=roles)
    members_before = {n.id: set(n.claim_ids) for n in growing.narratives()}
    for name in ORDER[3:]:
        growing.add(claims_by_doc[name], anchors, roles=roles)
    after = {n.id: set(n.claim_ids) for n in growing.narratives()}
    merges = growing.merges()
    for narrative_id, members in members_before.items():
        survivor = merges.get(narrative_id, narrative_id)
        assert members <= after[survivor]
    for gone, kept in merges.items():
        assert kept in after and gone not in after


def test_adding_the_same_claims_again_changes_nothing(
    encoder, claims_by_doc, anchors, roles, index
):
    all_claims = [c for name in ORDER for c in claims_by_doc[name]]
    before = _partition(index, all_claims)
    index.add(claims_by_doc[ORDER[1]], anchors, roles=roles)
    assert len(index) == len(all_claims)
    assert _partition(index, all_claims) == before


def test_restore_carries_on_where_it_stopped(
    encoder, claims_by_doc, anchors, roles, index, tmp_path
):
    """What the store does between runs: settings from link_state, claims with their
    narrative ids, vectors from claim_vectors, the neighbour index from its file."""
    first = NarrativeIndex(encoder)
    for name in ORDER[:2]:
        first.add(claims_by_doc[name], anchors, roles=roles)
    early = [c for name in ORDER[:2] for c in claims_by_doc[name]]
    path = str(tmp_path / "ann.usearch")
    first.save_ann(path)
    resumed = NarrativeIndex.from_settings(first.settings(), encoder)
    resumed.restore(
        early,
        anchors,
        {c.id: first.narrative_of(c.id) for c in early},
        ann_path=path,
        roles=roles,
    )
    rebuilt = NarrativeIndex.from_settings(first.settings(), encoder)
    rebuilt.restore(
        early,
        anchors,
        {c.id: first.narrative_of(c.id) for c in early},
        vectors=lambda: encoder.encode([c.text for c in early]),
        roles=roles,
    )
    assert _groups(rebuilt, early) == _groups(first, early)
    for name in ORDER[2:]:
        resumed.add(claims_by_doc[name], anchors, roles=roles)
    all_claims = [c for name in ORDER for c in claims_by_doc[name]]
    assert _groups(resumed, all_claims) == _groups(index, all_claims)


def test_settings_refuse_another_encoder(encoder, index) -> None:
    class Other:
        name = "another-model"
        dim = encoder.dim

        def encode(self, texts):
            raise AssertionError("not called")

    with pytest.raises(ValueError, match="another-model"):
        NarrativeIndex.from_settings(index.settings(), Other())


def test_claims_without_an_anchor_join_nothing(index, all_claims, anchors) -> None:
    bare = [c for c in all_claims if not anchors[c.id]]
    assert bare
    grouped = {cid for n in index.narratives(min_claims=2) for cid in n.claim_ids}
    assert not grouped & {c.id for c in bare}


def test_claims_without_an_anchor_stay_out_of_the_neighbour_index(
    encoder, index, all_claims, anchors, roles, tmp_path
) -> None:
    """A claim without an anchor links to nothing, so the neighbour index leaves it out (it
    would take memory and a place among a search's neighbours); it is still a candidate of
    its own. An index file of an older version, holding every claim, is rebuilt on load."""
    import numpy as np
    from usearch.index import Index

    # (a claim that can link nothing, a question or page furniture, keeps no anchors either)
    anchored = [c for c in all_claims if index._anchors_of(index.row_of(c.id))]
    assert len(index._ann) == len(anchored) < len(all_claims)
    singles = {n.claim_ids[0]: n for n in index.narratives(min_claims=1) if len(n.claim_ids) == 1}
    bare = next(c for c in all_claims if not anchors[c.id])
    assert singles[bare.id].cohesion == 1.0 and singles[bare.id].label == bare.text
    assert not index.linked(bare.id, anchored[0].id)

    vectors = encoder.encode([c.text for c in all_claims])
    old = Index(ndim=index._dim, metric="cos", dtype="f16")
    old.add(np.arange(len(all_claims), dtype=np.uint64), vectors)
    path = str(tmp_path / "old.usearch")
    old.save(path)
    read = []
    resumed = NarrativeIndex.from_settings(index.settings(), encoder)
    resumed.restore(
        all_claims,
        anchors,
        {c.id: index.narrative_of(c.id) for c in all_claims},
        vectors=lambda: read.append(1) or vectors,
        ann_path=path,
        roles=roles,
    )
    assert read and len(resumed._ann) == len(anchored)


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
        assert narrative.undated == len(members) - len(dates)
        assert narrative.anonymous_share == sum(c.anonymous for c in members) / len(members)
        assert 0.0 < narrative.cohesion <= 1.0 + 1e-6


def test_retellings_are_dated_when_they_were_told(claims_by_doc, sample_docs) -> None:
    """004 reports statements with their dates: those claims carry the statement dates, its
    other claims the publication date; no claim takes a background date from its text, and a
    claim of an undated document with no statement date is undated."""
    assert {"2021-07-24", "2017-08-31"} <= {c.date for c in claims_by_doc[ORDER[4]]}
    for name in ORDER:
        doc = sample_docs[name]
        for claim in claims_by_doc[name]:
            said = None
            if claim.attribution_index is not None:
                said = doc.attributions[claim.attribution_index].date
            if said and doc.date and said[: len(doc.date)] > doc.date[: len(said)]:
                said = None  # "said" after publication: an event's date, not the statement's
            assert claim.date == (said or doc.date), (claim.text, claim.date)


def test_withdrawal_narrative_is_dated_by_its_statements(index, gold_members) -> None:
    (narrative_id,) = {index.narrative_of(c.id) for c in gold_members[2]}
    narrative = next(n for n in index.narratives() if n.id == narrative_id)
    assert narrative.first_seen is not None
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


def test_without_actions_the_retellings_stay_apart(
    encoder, all_claims, anchors, gold_members
) -> None:
    """What the act test is for: a shared act is what lets retellings as loosely worded as the
    sample's (cosine 0.5 to 0.6) link; without it only near-paraphrases do, and the airdrop and
    helicopter narratives come out in pieces."""
    plain = NarrativeIndex(encoder, use_actions=False)
    plain.add(all_claims, anchors)
    pieces = {n: len({plain.narrative_of(c.id) for c in gold_members[n]}) for n in (0, 1)}
    assert pieces[0] > 1 and pieces[1] > 1, pieces


def test_a_line_one_outlet_repeats_is_no_retelling(encoder) -> None:
    """Written for this test: one outlet's standing line in two of its documents links nothing;
    the same words in two outlets (a wire story retold) still do."""
    line = "The Harbour Society supplied the ferry company with fuel in Springfield."

    def claim(doc: str, outlet: str) -> Claim:
        return Claim(f"c-{doc}", doc, line, 0, len(line), None, 0.5, "test", outlet=outlet)

    anchors = {f"c-{d}": frozenset({"harbour-society", "springfield"}) for d in "abc"}
    index = NarrativeIndex(encoder)
    index.add([claim("a", "Gazette"), claim("b", "Gazette"), claim("c", "Courier")], anchors)
    assert not index.linked("c-a", "c-b")
    assert index.linked("c-a", "c-c") and index.linked("c-b", "c-c")


# Rules found on the judged news sample (eval/gold/narratives_news_judged.yaml: the reason of
# each mixed narrative). The texts below are written for the tests, after the sample's cases.


def test_figures_ignore_names_and_read_number_words() -> None:
    from claimgraph.link.narratives import figures

    assert figures("More than 23,000 people have died from COVID-19.") == {"23000"}
    assert figures("the F-35 program and the G7 summit") == frozenset()
    assert figures("Obama ahead by ten, twelve and nine points") == {"10", "12", "9"}
    assert figures("Partisan divisions are 28-24-37%") == {"28", "24", "37"}


def test_two_counts_or_two_years_are_two_stories() -> None:
    """Two COVID-19 death counts shared only the '19' of the name; two states' 2008 results
    shared only the year; a poll stated in number words chained to others by any figure."""
    from claimgraph.link.narratives import figures, figures_conflict

    def conflict(a: str, b: str) -> bool:
        return figures_conflict(figures(a), figures(b))

    assert conflict("About 7,000 people died of COVID-19", "23,000 have died from COVID-19")
    assert conflict("In 2008, Obama won the state 52% to 47%", "In 2008, McCain got 53 to 45")
    assert conflict("Obama ahead by ten points", "Obama ahead by 11 points")
    assert conflict("Trump won the state in 2016", "Trump won the state in 2020")
    assert conflict("More than 1,300 Palestinians were killed", "Nearly 1,900 were killed")
    assert not conflict("Obama won by 14,000 votes in 2008", "Obama won by 14,000 of 4.2 million")
    assert not conflict("the 2,500 US troops in Iraq", "The United States will not withdraw")


def test_no_comment_lines_and_topics_assert_nothing() -> None:
    from claimgraph.link.narratives import asserts_something, is_no_comment

    assert is_no_comment("The Justice Department declined to comment.")
    assert is_no_comment("The White House didn’t respond to requests for comment.")
    assert not is_no_comment("The senator commented on the Justice Department's report.")
    # A piece cut out of a sentence without a verb is the topic of the cue verb.
    assert not asserts_something("the Iran nuclear agreement")
    assert not asserts_something("to drop charges against Jussie Smollett.")
    assert asserts_something("the US army is trying to transfer the ISIS commanders")
    assert asserts_something("she and Mr Trump had sex in a hotel room in 2006")
    # A whole headline asserts in its own style.
    assert asserts_something("Moldova ready to abandon Transnistria for EU and NATO")


def test_an_act_named_only_as_a_noun_is_a_topic() -> None:
    """'The attack on the consulate' names the act a claim is about; 'US planes dropped
    packages' says it was done. Only the second lets loosely worded retellings link."""

    class _NoEncoder:
        name, dim = "none", 4

        def encode(self, texts: list[str]):  # pragma: no cover - never called
            raise AssertionError

    index = NarrativeIndex(_NoEncoder())
    assert index._act_as_verb("US planes dropped packages of arms over ISIS-held regions")
    assert index._act_as_verb("the Americans are planning to take ISIS commanders away")
    assert not index._act_as_verb("the inquiry into alleged collusion with Russia")
    assert not index._act_as_verb("Obama's attacks on Romney's business record")
    assert not index._act_as_verb("A terrorist attack on the consulate is sure to come up")


def test_one_outlet_under_its_section_names() -> None:
    from claimgraph.link.narratives import outlet_family

    assert outlet_family("Fox News") == outlet_family("Fox Online News")
    assert outlet_family("Fox News (Online)") == outlet_family("Fox News")
    assert outlet_family("ABC News (Online)") == outlet_family("ABC News")
    assert outlet_family("New York Times - News") != outlet_family("The New Yorker")


def test_a_negated_claim_is_the_opposite_assertion() -> None:
    """'Found evidence of collusion' and 'did not find evidence of collusion' sit close in
    embedding space; only a near-paraphrase may link across polarity."""
    from claimgraph.link.narratives import negated

    assert negated("investigators did not find evidence of collusion")
    assert negated("Mr Trump denies wrongdoing")
    assert negated("The United States is not serious about withdrawing its troops")
    assert not negated("there is significant evidence of collusion")
    assert not negated("a notable and nonpartisan win")


def test_without_a_told_act_a_retelling_shares_some_words() -> None:
    """Written for this test, after the judged sample's 'same actor, something else said of
    him' pairs: with no act said by a verb, two claims close in embedding space (cosine 0.85
    here, set by hand) link only when they share some of their content words."""
    import numpy as np

    texts = {
        "a": "Springfield officials think the new timetable and its cheaper weekend fares are fine.",
        "b": "Springfield workers live in small houses near the old docks.",
        "c": "Springfield officials think the timetable and the cheaper fares are fine.",
    }
    claims = _claims(texts)
    anchors = {k: frozenset({"springfield"}) for k in texts}
    tilt = np.sqrt(1 - 0.85**2)
    vectors = np.array([[1, 0, 0, 0], [0.85, tilt, 0, 0], [0.85, 0, tilt, 0]], dtype=np.float32)
    index = NarrativeIndex(_Given())
    index.add(claims, anchors, vectors)
    assert index.linked("a", "c")  # the same assertion, retold
    assert not index.linked("a", "b")  # one shared name, nothing else
    loose = NarrativeIndex(_Given(), min_word_overlap=0.0)
    loose.add(claims, anchors, vectors)
    assert loose.linked("a", "b")  # the rule, not the cosine, keeps them apart


def test_an_act_is_told_only_by_a_verb_form() -> None:
    """Written for this test, after the judged sample's mixed narratives (Trump's Syria strike,
    the AQAP bomb plot, 'take up arms' / 'arms shipments'): a bare or '-s' form that English
    shares with the noun names the act unless a verb's context comes before it ("to", a
    modal, a pronoun, or its subject: a name, a plural noun)."""

    class _NoEncoder:
        name, dim = "none", 4

        def encode(self, texts: list[str]):  # pragma: no cover - never called
            raise AssertionError

    told = NarrativeIndex(_NoEncoder())._act_as_verb
    assert not told("the mayor ordered a symbolic air strike against the rebels' base")
    assert not told("details of a recently disrupted bomb plot in Springfield")
    assert not told("young men who take up arms against the governor")
    assert told("the army is preparing to strike the rebels")
    assert told("Springfield helicopters evacuate the rebel leaders")
    assert told("The U.S. evacuate the rebel leaders from Springfield")
    assert told("the rebels struck the base")
    assert told("planes dropping crates for the rebels")


def test_a_question_asserts_nothing() -> None:
    from claimgraph.link.narratives import is_question

    assert is_question("Did the mayor interfere in the Springfield election?")
    assert is_question("whether the mayor obstructed justice by firing the chief")
    assert not is_question("If the council votes no, there will be a shutdown.")
    assert not is_question("The mayor interfered in the Springfield election.")


def test_paying_is_funding_only_when_it_pays_for_something() -> None:
    """'Pay' is in every story about taxes and bills; only paying for something funds it."""
    from claimgraph.link.frames import default_actions

    find = default_actions().find
    assert find("most residents pay a small share of their income in taxes") == []
    assert find("the campaign paid for the dossier") == ["fund"]


def test_pronoun_subjects_of_two_speakers_are_two_actors() -> None:
    """Written for this test, after the judged sample's 'he was "utterly appalled" by Mr
    Trump's tweets' / 'she was "appalled" by Mr Trump's tweet' (two people, one anchor): a
    pronoun subject stands for whoever says it, so two speakers make two actors; the same
    speaker, or one unknown, leaves the pair to the other tests (cosine 0.85, set by hand)."""
    import numpy as np

    said = {
        "a": ("he was utterly appalled by the mayor's tweets", "ann"),
        "b": ("she was appalled by the mayor's tweet", "bob"),
        "c": ("he was appalled by the mayor's tweets", "ann"),
        "d": ("she was appalled by the mayor's tweets", None),
    }
    claims = [
        Claim(k, f"doc-{k}", t, 0, len(t), None, 0.5, "test", speaker_entity_key=s)
        for k, (t, s) in said.items()
    ]
    anchors = {k: frozenset({"mayor"}) for k in said}
    tilt = np.sqrt(1 - 0.85**2)
    vectors = np.array(
        [[1, 0, 0, 0], [0.85, tilt, 0, 0], [0.85, 0, tilt, 0], [0.85, 0, 0, tilt]],
        dtype=np.float32,
    )
    index = NarrativeIndex(_Given())
    index.add(claims, anchors, vectors)
    assert not index.linked("a", "b")  # Ann and Bob, each appalled
    assert index.linked("a", "c")  # Ann, twice
    assert index.linked("a", "d")  # no speaker known: the pronoun tells nothing


def test_a_name_with_its_title_says_little() -> None:
    """After the judged sample's 'Chinese President Xi Jinping' / 'which he said President Xi
    Jinping had "spearheaded"' and 'Republican presidential nominee Mitt Romney' / 'Republican
    challenger Mitt Romney' (texts written for the test)."""
    from claimgraph.link.narratives import says_little

    assert says_little(
        [
            "Springfield Mayor Joe Quimby",
            "Quimby as Springfield treasurer.",
            "Democratic challenger Joe Quimby",
            "Joe Quimby won the Springfield election.",
            "Springfield behind the staged power cut at the plant",
            "Quimby to resign over the power cut",
        ]
    ) == [True, True, True, False, False, False]


def test_the_claim_stage_and_relink_parse_the_same_frames(sample_docs, claims_by_doc) -> None:
    """analyze sets `Claim.frame` in the claim stage; relink parses the stored text: the same
    frames, so both group the same claims the same way."""
    import copy

    from claimgraph.link.frames import parse_frames
    from claimgraph.link.stage import frame_claims

    docs = [copy.copy(sample_docs[name]) for name in ORDER]
    for doc, name in zip(docs, ORDER, strict=True):
        doc.claims = [copy.copy(c) for c in claims_by_doc[name]]
    frame_claims(docs)
    framed = [c for d in docs for c in d.claims if c.frame is not None]
    assert len(framed) > 20
    assert [c.frame for c in framed] == parse_frames([c.text for c in framed])


class _Given:
    """An encoder for tests that pass their vectors in: it is never asked to embed."""

    name = "given"

    def __init__(self, dim: int = 4) -> None:
        self.dim = dim

    def encode(self, texts: list[str]):  # pragma: no cover - vectors are passed in
        raise AssertionError


def _claims(texts: dict[str, str]) -> list[Claim]:
    """One claim per text, each in a document of its own, id = its key."""
    return [Claim(k, f"doc-{k}", t, 0, len(t), None, 0.5, "test") for k, t in texts.items()]


def _given_vectors(cosines: list[float]):
    """Unit vectors: the first, then one per cosine to it, each tilted along its own axis."""
    import numpy as np

    dim = len(cosines) + 1
    rows = [np.eye(dim, dtype=np.float32)[0]]
    for i, cos in enumerate(cosines, start=1):
        row = np.zeros(dim, dtype=np.float32)
        row[0], row[i] = cos, np.sqrt(1 - cos**2)
        rows.append(row)
    return np.array(rows, dtype=np.float32)


def test_another_predicate_is_another_assertion() -> None:
    """Written for this test, after the judged sample's "Obama's policies have hurt the middle
    class" / "Obama's policies favor the middle class": the parse of each claim says what is
    done to whom; another predicate is another assertion (cosines set by hand). Swapped parts
    are parsed but do not separate a pair (module docstring)."""

    texts = {
        "a": "Springfield's attack hurt the Shelbyville plant",
        "b": "Springfield's attack surprised the Shelbyville plant",
        "c": "Springfield's attack hurt the Shelbyville plant badly",
        "d": "Shelbyville's attack hurt the Springfield plant",
    }
    claims = _claims(texts)

    def at(text: str, key: str, name: str) -> tuple[str, int, int]:
        return (key, text.index(name), text.index(name) + len(name))

    mentions = {
        k: sorted(
            [at(t, "springfield", "Springfield"), at(t, "shelbyville", "Shelbyville")],
            key=lambda m: m[1],
        )
        for k, t in texts.items()
    }
    found = claim_roles(claims, mentions)
    assert found["a"].actors == {"springfield"} and found["a"].targets == {"shelbyville"}
    assert found["d"].actors == {"shelbyville"}
    anchors = {k: frozenset({"springfield", "shelbyville"}) for k in texts}
    index = NarrativeIndex(_Given())
    index.add(claims, anchors, _given_vectors([0.75, 0.75, 0.85]), roles=found)
    # The attack is only named, so a pair needs NOUN_ACT_THRESHOLD (0.65), not more:
    assert not index.linked("a", "b")  # hurt / surprised: another thing said of it
    assert index.linked("a", "c")  # hurt, twice
    assert found["d"].targets == {"springfield"}
    assert index.linked("a", "d")  # the parts swapped: not a rule (EUvsDisinfo 0.920 -> 0.913)
    plain = NarrativeIndex(_Given())
    plain.add(claims, anchors, _given_vectors([0.75, 0.75, 0.85]))
    assert plain.linked("a", "b")  # without frames, one story


def test_one_act_told_with_other_verbs_or_under_another_main_verb() -> None:
    """Written for this test, after the sample's "We saw several packages dropped ..." /
    "planes have airdropped ..." and the judged news's two claims about one killing that say
    different things of it: two claims telling one act with a verb link from 0.5 when their
    main predicates tell that act (another verb of the same class, or under a verb of
    perception: data/frames.yaml), and only from TOLD_OTHER_PREDICATE_THRESHOLD (0.6) when
    one of them asserts something else of the act (cosines set by hand)."""
    from claimgraph.link.narratives import TOLD_OTHER_PREDICATE_THRESHOLD

    texts = {
        "a": "Springfield helicopters airdropped weapons to the Shelbyville rebels",
        "b": "Witnesses saw Springfield helicopters dropping weapons to the Shelbyville rebels",
        "c": "Springfield's decision to ship weapons to the Shelbyville rebels angered them",
        "d": "Springfield's decision to ship weapons to the Shelbyville rebels angered them",
        "e": "Springfield helicopters airdropped more weapons to the Shelbyville rebels",
    }
    claims = _claims(texts)
    mentions = {
        k: [
            ("springfield", t.index("Springfield"), t.index("Springfield") + 11),
            ("shelbyville", t.index("Shelbyville"), t.index("Shelbyville") + 11),
        ]
        for k, t in texts.items()
    }
    found = claim_roles(claims, mentions)
    assert found["b"].predicates == {"drop"} and found["c"].predicates == {"anger"}
    anchors = {k: frozenset({"springfield", "shelbyville"}) for k in texts}
    low, high = 0.55, TOLD_OTHER_PREDICATE_THRESHOLD + 0.05
    index = NarrativeIndex(_Given(5))
    index.add(claims, anchors, _given_vectors([low, low, high, low]), roles=found)
    assert index.linked("a", "b")  # airdropped / seen dropping: one act, supply
    assert index.linked("a", "e")  # the same verb
    assert not index.linked("a", "c")  # the decision to ship them angered them: another thing
    assert index.linked("a", "d")  # ... but a near retelling still links
    plain = NarrativeIndex(_Given(5))
    plain.add(claims, anchors, _given_vectors([low, low, high, low]))
    assert plain.linked("a", "c")  # without frames, the act alone links them


def test_an_act_of_a_named_day_is_not_retold_weeks_later_by_another_act() -> None:
    """Written for this test, after the judged news's "denied the claims Friday" / "issued a
    statement denying the report" a month later: a claim that dates its act by the day tells
    an event of that day. A claim told more than EVENT_DAYS away retells it only by telling the
    same act (a shared predicate), or as a near-paraphrase; within the week, or without a day
    named, time separates nothing (cosines set by hand)."""
    from claimgraph.link.frames import dates_its_day
    from claimgraph.link.narratives import EVENT_DAYS

    assert dates_its_day("The Springfield council renamed the park on Friday")
    assert dates_its_day("the mayor took office two weeks ago")
    assert not dates_its_day("Springfield's Super Tuesday primary")
    assert not dates_its_day("the Springfield council has renamed the park")

    dated = {
        "a": ("The Springfield council renamed the park Friday", "2020-03-06"),
        "b": ("The Springfield council issued a statement about the park", "2020-04-10"),
        "c": ("The Springfield council issued a statement about the park", "2020-03-09"),
        "d": ("The Springfield council has renamed the park", "2020-04-10"),
        "e": ("The Springfield council issued a statement about the park", "2020-04-10"),
    }
    claims = [
        Claim(k, f"doc-{k}", t, 0, len(t), None, 0.5, "test", date=d) for k, (t, d) in dated.items()
    ]
    mentions = {
        k: [("springfield", t.index("Springfield"), t.index("Springfield") + 11)]
        for k, (t, _) in dated.items()
    }
    found = claim_roles(claims, mentions)
    assert found["a"].predicates == {"rename"} and found["b"].predicates == {"issue"}
    assert 35 > EVENT_DAYS >= 3
    anchors = {k: frozenset({"springfield"}) for k in dated}
    index = NarrativeIndex(_Given(5))
    index.add(claims, anchors, _given_vectors([0.85, 0.85, 0.85, 0.95]), roles=found)
    assert not index.linked("a", "b")  # five weeks on, another act: another event
    assert index.linked("a", "c")  # three days on: time alone separates nothing
    assert index.linked("a", "d")  # five weeks on, the same act (renamed): retold
    assert index.linked("a", "e")  # a near-paraphrase (cosine 0.95) links anyway


def test_two_results_that_share_a_number_are_two_results() -> None:
    """Written for this test, after the judged news's two generic-ballot polls (a lead of 46 to
    45, then a tie at 46): a result split between two sides is read as a pair of figures
    (data/figures.yaml: tie words, units), and two claims that both state one, with no split
    in common, tell two results even where a number is shared. A range ("from 65 to 67") is
    no split, and a claim stating one split next to one stating none is left to the figures
    (cosines set by hand)."""
    from claimgraph.link.frames import result_splits

    assert result_splits("the Hawks lead the Owls 46 percent to 45 percent") == {
        frozenset({"46", "45"})
    }
    assert result_splits("the Hawks are tied with the Owls at 46 percent") == {frozenset({"46"})}
    assert result_splits("a 28-24 win for the Hawks") == {frozenset({"28", "24"})}
    assert not result_splits("raising the age from 65 to 67")
    assert not result_splits("COVID-19 reached Springfield")

    texts = {
        "a": "In the Springfield poll, the Hawks lead the Owls, 46 percent to 45 percent",
        "b": "In the Springfield poll, the Hawks are tied with the Owls at 46 percent",
        "c": "In the Springfield poll, the Hawks lead the Owls 45-46 percent",
        "d": "In the Springfield poll, the Hawks have 46 percent",
    }
    claims = _claims(texts)
    anchors = {k: frozenset({"springfield", "hawks", "owls"}) for k in texts}
    index = NarrativeIndex(_Given())
    index.add(claims, anchors, _given_vectors([0.85, 0.85, 0.85]))
    assert not index.linked("a", "b")  # 46-45, then 46-46: two polls
    assert index.linked("a", "c")  # the same split, written the other way round
    assert index.linked("a", "d")  # one side states no split: the shared 46 decides


def test_a_piece_that_lost_its_verb_retells_only_its_like() -> None:
    """Written for this test, after the judged news's "North Korea from testing ballistic
    missiles" (out of "to stop North Korea from testing ...") linked to a whole claim about the
    last test: a verbless piece that starts with a name and a preposition of data/frames.yaml
    (the object of a verb cut off) lacks its act; it links a whole claim only as a
    near-paraphrase, and another such piece as any pair (cosines set by hand)."""
    from claimgraph.link.narratives import cut_off_object

    assert cut_off_object("Springfield from holding the parade")
    assert cut_off_object("Mayor Quimby as an enemy of the parade.")
    assert not cut_off_object("Springfield last held the parade in 2019")
    assert not cut_off_object("Springfield preparing for the parade")  # a headline's verb
    assert not cut_off_object("Quimby as mayor has banned the parade")  # a verb of its own

    texts = {
        "a": "Springfield over claims about the parade",
        "b": "Springfield held the parade despite claims about it",
        "c": "Springfield over the claims about its parade.",
        "d": "Springfield held the parade despite claims about it.",
    }
    claims = _claims(texts)
    anchors = {k: frozenset({"springfield"}) for k in texts}
    index = NarrativeIndex(_Given())
    index.add(claims, anchors, _given_vectors([0.85, 0.85, 0.95]))
    assert not index.linked("a", "b")  # a piece against a whole claim
    assert index.linked("a", "c")  # two pieces alike
    assert index.linked("a", "d")  # a near-paraphrase (0.95) links anyway
    # A claim that stops before its sentence does is such a piece too (cut_off_endings).
    assert cut_off_object("Springfield listing the parade as 'annual' and")
    assert cut_off_object("Mayor Quimby's order to ban the Springfield parade\u2014a")
    assert not cut_off_object("Springfield held the parade and the fair.")
    whole = "Springfield held the parade as an annual event"
    cut = "Springfield held the parade as 'annual' and"
    pair = [
        Claim(k, f"doc-{k}", t, 0, len(t), None, 0.5, "test") for k, t in (("w", whole), ("c", cut))
    ]
    cut_index = NarrativeIndex(_Given())
    cut_index.add(
        pair, {"w": anchors["a"], "c": anchors["a"]}, _given_vectors([0.85, 0.0, 0.0])[:2]
    )
    assert not cut_index.linked("w", "c")


def test_a_capital_counts_as_its_state() -> None:
    """Written for this test, after a retelling in the judged news that did not link ("Moscow
    had interfered" / "Russia interfered": two entities): a capital of data/anchors.yaml counts
    as its state's anchor, for narratives only; a place the table does not list stays itself
    (cosines set by hand)."""
    from claimgraph.link.frames import one_anchor

    assert one_anchor("moscow") == "russia" and one_anchor("kremlin") == "russia"
    assert one_anchor("russian") == "russian"  # an adjective names something else
    assert one_anchor("springfield") == "springfield"
    # A well-known person's lone surname (data/people.yaml) is the person: a store made before
    # surnames were resolved across documents keeps "Obama" apart from "Barack Obama".
    assert one_anchor("obama") == "barack-obama" and one_anchor("assad") == "bashar-al-assad"
    assert one_anchor("clinton") == "clinton"  # two people.yaml-worthy Clintons: not listed

    texts = {
        "a": "Russia interfered in the Springfield vote",
        "b": "Moscow interfered in the Springfield vote",
        "c": "Paris interfered in the Springfield vote",  # France's capital is not listed
        "d": "France interfered in the Springfield vote.",
    }
    claims = _claims(texts)
    keys = {"a": "russia", "b": "moscow", "c": "paris", "d": "france"}
    anchors = {k: frozenset({keys[k], "springfield"}) for k in texts}
    index = NarrativeIndex(_Given())
    index.add(claims, anchors, _given_vectors([0.85, 0.0, 0.0]))
    assert index.linked("a", "b")
    index = NarrativeIndex(_Given())
    index.add(claims[2:], anchors, _given_vectors([0.85, 0.0, 0.0])[:2])
    assert not index.linked("c", "d")


def test_doubting_a_finding_is_its_opposite() -> None:
    """Written for this test, after two claims that would link once a capital counts as its
    state ("Trump questioned the conclusion that Moscow had meddled" / "accepted the findings
    that Russia had interfered"): a main verb of data/frames.yaml `doubting_verbs` gives the
    claim negative polarity, so it retells one that accepts the finding only as a
    near-paraphrase; "no question" and "no doubt" affirm (cosines set by hand)."""
    from claimgraph.link.narratives import negated

    assert not negated('there was "no question" Springfield had interfered')
    assert not negated("There is no doubt Springfield interfered")
    assert negated("there was no reason for Springfield to interfere")

    texts = {
        "b": "Quimby accepted the finding that Shelbyville had interfered in the vote",
        "a": "Quimby questioned the finding that Shelbyville had interfered in the vote",
        "c": "Quimby said there is no question that Shelbyville interfered in the vote",
    }
    claims = _claims(texts)
    anchors = {k: frozenset({"quimby", "shelbyville"}) for k in texts}
    roles = {
        "b": Roles(predicates=frozenset({"accept"})),
        "a": Roles(predicates=frozenset({"question"})),
        "c": Roles(predicates=frozenset({"say", "question"})),
    }
    vectors = _given_vectors([0.7, 0.7, 0.0])[:3]
    index = NarrativeIndex(_Given())
    index.add(claims, anchors, vectors, roles=roles)
    assert not index.linked("a", "b")  # doubted / accepted
    assert index.linked("b", "c")  # "no question" affirms
    plain = NarrativeIndex(_Given())
    plain.add(claims, anchors, vectors)
    assert plain.linked("a", "b")  # without the parse, the act told twice links


def test_one_speaker_under_two_entity_keys_is_one_actor() -> None:
    """Written for this test, after a fresh store where the lone surname "Daniels" became two
    entities in two articles ('she had sex with Mr Trump in 2006' said by each): a pronoun
    subject stands for its speaker, and speakers written as one name ("Daniels", or "Daniels"
    ending "Stormy Daniels") are one actor whatever their entity keys; two given names on one
    surname stay two (cosine 0.85, set by hand)."""
    said = {
        "a": ("she met the mayor at the plant in 2006", "Daniels", "daniels"),
        "b": ("she met the mayor at the plant in 2006 once", "Daniels", "daniels-2"),
        "c": ("she met the mayor at the plant in 2006, she said", "Stormy Daniels", "sd"),
        "d": ("she met the mayor at the plant in 2006, she says", "Jane Daniels", "jd"),
    }
    claims = [
        Claim(k, f"doc-{k}", t, 0, len(t), None, 0.5, "test", speaker=n, speaker_entity_key=s)
        for k, (t, n, s) in said.items()
    ]
    anchors = {k: frozenset({"mayor", "plant"}) for k in said}
    vectors = _given_vectors([0.85, 0.85, 0.85])
    index = NarrativeIndex(_Given())
    index.add(claims, anchors, vectors)
    assert index.linked("a", "b")  # "Daniels" in two articles, two keys
    assert index.linked("a", "c")  # the surname ends the full name
    assert not index.linked("c", "d")  # Stormy and Jane Daniels: two people


def test_a_piece_cut_after_accused_of_is_a_piece() -> None:
    """Written for this test, after a fresh store's 'Democrats of "trying to belittle the
    concept of a Wall"' (out of "accused Democrats of ...") linked to a whole claim about the
    wall: "of" after a name starts the object of a verb cut off too (data/frames.yaml
    `cut_off_prepositions`); a name with "of" inside a clause ("the Bank of Springfield said")
    keeps its verb (cosine 0.85, set by hand)."""
    from claimgraph.link.narratives import cut_off_object

    assert cut_off_object('Quimby of "trying to belittle the idea of a parade')
    assert not cut_off_object("Bank of Springfield raised its rates")
    texts = {
        "a": 'Quimby of "trying to belittle the idea of a parade',
        "b": "the parade was a nonstarter for Quimby",
    }
    claims = _claims(texts)
    anchors = {k: frozenset({"quimby"}) for k in texts}
    index = NarrativeIndex(_Given())
    index.add(claims, anchors, _given_vectors([0.85, 0.0, 0.0])[:2])
    assert not index.linked("a", "b")  # a piece against a whole claim


def test_a_sentence_retold_word_for_word_links_whatever_its_entities_and_acts() -> None:
    """Written for this test, after a fresh store's 'President Obama has failed to provide any
    leadership on immigration.' in two outlets (each article resolved "Obama" to another
    entity) and 'We will make trade work for America.' inside another outlet's '... for
    America by forging new trade agreements.' (an act only the longer names): one claim's
    words inside the other's, in two outlets, link from the plain threshold; one outlet's
    pages, a negated telling or a cosine below 0.8 stay apart (cosines set by hand)."""
    texts = {
        "a": "Mayor Quimby has failed to lead on the parade.",
        "b": "Mayor Quimby has failed to lead on the parade.",
        "c": "First, Mayor Quimby has failed to lead on the parade by forging new attacks.",
        "d": "Smithers denied that Mayor Quimby has failed to lead on the parade.",
        "e": "Mayor Quimby has failed to lead on the parade, pertaining to the women.",
        "f": "Mayor Quimby has failed to lead on the parade.",
    }
    outlets = {"a": "Shelbyville Post", "b": "Capital City Times", "c": "Ogdenville News"}
    outlets |= {"d": "Brockway Herald", "e": "North Haverbrook Star", "f": "Shelbyville Post"}
    claims = [
        Claim(k, f"doc-{k}", t, 0, len(t), None, 0.5, "test", outlet=outlets[k])
        for k, t in texts.items()
    ]
    anchors = {k: frozenset({"joe-quimby"}) for k in texts}
    anchors["b"] = frozenset({"mayor-quimby"})
    anchors["d"] = frozenset({"joe-quimby", "waylon-smithers", "springfield"})
    vectors = _given_vectors([0.99, 0.85, 0.85, 0.7, 0.99])
    index = NarrativeIndex(_Given(6))
    index.add(claims, anchors, vectors)
    assert index.linked("a", "b")  # the same words, other entity keys
    assert index.linked("a", "c")  # inside a longer cut that names an attack
    assert not index.linked("a", "d")  # the opposite assertion
    assert not index.linked("a", "e")  # a stock phrase inside another affair's sentence
    assert not index.linked("a", "f")  # a line one outlet's pages repeat


def test_a_hyphenated_word_names_the_act_of_its_last_part() -> None:
    """Written for this test, after a fresh store's quote 'an Iranian or a terrorist
    counter-cyberattack on us' / '... terrorist counter cyberattack on us' (two outlets, one
    quote): a compound's head is its last part, so "counter-strike" names what "counter
    strike" does; a first part alone ("attack-proof") names nothing."""
    from claimgraph.link.frames import default_actions

    find = default_actions().find
    assert find("it may invite a counter-cyberattack on us") == ["spy"]
    assert find("it may invite a counter cyberattack on us") == ["spy"]
    assert find("a post-invasion plan for Springfield") == ["attack"]
    assert find("an attack-proof door at the plant") == []


def test_a_name_kept_with_an_initial_is_the_same_anchor() -> None:
    """Written for this test, after a fresh store's 'The attacks killed Ambassador Christopher
    Stevens and three other Americans.' / 'The U.S. ambassador to Libya, Christopher Stevens,
    and three other U.S. nationals were killed during the attack.' (one article resolved
    "j-christopher-stevens", the other "christopher-stevens"): an entity key that ends another
    is one anchor with it; two given names on one surname stay two (cosine 0.85, set by hand)."""
    texts = {
        "a": "The storm killed Mayor Joe Quimby and three other residents.",
        "b": "Mayor Joe Quimby and three other residents were killed in the storm.",
        "c": "Jane Quimby and three other residents were killed in the storm.",
    }
    claims = _claims(texts)
    anchors = {
        "a": frozenset({"springfield", "j-joe-quimby"}),
        "b": frozenset({"springfield", "joe-quimby"}),
        "c": frozenset({"springfield", "jane-quimby"}),
    }
    index = NarrativeIndex(_Given())
    index.add(claims, anchors, _given_vectors([0.85, 0.85, 0.0])[:3])
    assert index.linked("a", "b")  # one mayor, with and without an initial
    assert not index.linked("a", "c")  # Joe and Jane Quimby share only the town
    houses = _claims(
        {
            "d": "The storm killed three staff at the House.",
            "e": "Three staff at the White House were killed in the storm.",
        }
    )
    one_word = NarrativeIndex(_Given())
    keys = {"d": frozenset({"house"}), "e": frozenset({"white-house"})}
    one_word.add(houses, keys, _given_vectors([0.85, 0.0, 0.0])[:2])
    assert not one_word.linked("d", "e")  # one word ending a name is not the name


def test_a_near_identical_sentence_needs_one_shared_anchor() -> None:
    """Written for this test, after a fresh store's quote '... who it should work for," said
    Sen. Patty Murray, D-Wash., who chairs the Senate Budget Committee.' / '... said Democratic
    Sen. Patty Murray, who chairs ...' (anchors {d-wash, committee} / {democratic, committee}):
    two clauses worded all but alike (cosine 0.95 and up) share one anchor and link; below it,
    or for two names with their titles, most anchors must be shared (cosines set by hand)."""
    texts = {
        "a": 'We have a plan," said Sen. Joe Quimby, D-Spr., who chairs the parade board.',
        "b": 'We have a plan," said Democratic Sen. Joe Quimby, who chairs the parade board.',
        "c": 'We have one plan," said Democratic Sen. Joe Quimby, who chairs the parade board.',
        "d": "Democratic Springfield mayor Joe Quimby",
        "e": "Republican Springfield mayor Joe Quimby",
    }
    claims = _claims(texts)
    anchors = {
        "a": frozenset({"d-spr", "parade-board"}),
        "b": frozenset({"democratic", "parade-board"}),
        "c": frozenset({"democratic-party", "parade-board"}),
        "d": frozenset({"democratic", "springfield"}),
        "e": frozenset({"republican", "springfield"}),
    }
    import numpy as np

    vectors = _given_vectors([0.97, 0.9, 0.0, 0.0])  # a, b, c; d and e set apart below
    vectors[3] = np.eye(5, dtype=np.float32)[3]
    vectors[4] = np.array([0, 0, 0, 0.97, np.sqrt(1 - 0.97**2)], dtype=np.float32)
    index = NarrativeIndex(_Given(5))
    index.add(claims, anchors, vectors)
    assert index.linked("a", "b")  # one quote, its speaker's party written two ways
    assert not index.linked("a", "c")  # 0.9: the anchors must agree
    assert not index.linked("d", "e")  # two names with their titles


def test_grouping_stored_claims_does_not_load_spacy() -> None:
    """`relink` and the benches group stored claims without a pipeline: importing spaCy (and
    torch through thinc) there costs about 230 MB. A capital's or a surname's anchor is keyed
    without it."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from claimgraph.link.claims import Claim\n"
        "from claimgraph.link.narratives import NarrativeIndex\n"
        "class E:\n"
        "    name = 'given'; dim = 4\n"
        "texts = ['Moscow denied the report on Monday.', 'Obama signed the bill into law.']\n"
        "claims = [Claim(f'c{i}', f'd{i}', t, 0, len(t), None, 0.5, 't') for i, t in enumerate(texts)]\n"
        "index = NarrativeIndex(E())\n"
        "index.add(claims, {'c0': ('moscow',), 'c1': ('obama',)}, vectors=np.eye(4)[:2])\n"
        "assert 'spacy' not in sys.modules, 'NarrativeIndex.add imported spaCy'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
