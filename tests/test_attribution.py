"""Attribution relations, sourcing chains, anonymous sources and signals on the sample.

One test per gold attribution in ../shared/gold/seeds.yaml, so a failure names the relation.
Each test narrows the attributions found in the article step by step (content, then speaker,
kind, via, signals, role) and fails at the first step nothing survives, showing what was
found instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from claimgraph.model import Attribution, Document, normalise_text

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GOLD_PATH = SHARED / "gold" / "seeds.yaml"
MISSING = f"needs {GOLD_PATH}: the ../shared folder is not beside the repo"
# Without ../shared the gold tests are skipped (one line naming the folder); the rest still run.
GOLD = yaml.safe_load(GOLD_PATH.read_text(encoding="utf-8")) if GOLD_PATH.exists() else None
EVIDENCE_TYPES = {
    "promised_not_shown": "evidence_promised_not_shown",
    "captive_confession": "captive_confession",
    "documented_study": "documented_study",
}
CASES = [
    pytest.param(name, gold, id=f"{name[:3]}-{i}-{gold['text'][:40]}")
    for name, spec in (GOLD or {"documents": {}})["documents"].items()
    for i, gold in enumerate(spec.get("attributions") or [])
] or [pytest.param(None, None, id="gold-missing", marks=pytest.mark.skip(reason=MISSING))]


def _norm(name: str) -> str:
    return re.sub(r"^the ", "", normalise_text(name))


ALIAS_GROUPS = [{_norm(n) for n in group} for group in (GOLD or {}).get("aliases", [])]


def same_entity(found: str | None, gold: str) -> bool:
    """Equal after normalising, or spellings of one alias group in the gold file."""
    if found is None:
        return False
    a, b = _norm(found), _norm(gold)
    return a == b or any(a in group and b in group for group in ALIAS_GROUPS)


def head_noun(description: str) -> str:
    """'a senior Iraqi official, speaking on ...' -> 'official'; '(notes)' dropped."""
    core = re.sub(r"\(.*?\)", "", description).split(",")[0]
    return normalise_text(core).split()[-1]


def role_matches(found: str | None, gold: str) -> bool:
    """Gold roles abridge: every gold word must appear in the role found."""
    if found is None:
        return False
    found_n, gold_n = normalise_text(found), normalise_text(gold)
    words = re.findall(r"[\w'-]+", found_n)
    return gold_n in found_n or all(w in words for w in re.findall(r"[\w'-]+", gold_n))


def _show(attributions: list[Attribution]) -> str:
    return "\n".join(
        f"  {a.kind} speaker={a.speaker!r} anon={a.anonymous} desc={a.speaker_description!r} "
        f"role={a.role!r} via={a.via} signals={[s.type for s in a.signals]} "
        f"content={a.content[:80]!r}"
        for a in attributions
    )


def _narrow(step: str, found: list[Attribution], keep) -> list[Attribution]:
    kept = [a for a in found if keep(a)]
    assert kept, f"{step} wrong; candidates were:\n{_show(found)}"
    return kept


@pytest.mark.parametrize(("name", "gold"), CASES)
def test_gold_attribution(sample_docs: dict[str, Document], name: str, gold: dict) -> None:
    document = sample_docs[name]
    text = normalise_text(gold["text"])
    found = [a for a in document.attributions if text in normalise_text(a.content)]
    assert found, (
        f"no attribution content contains {gold['text']!r}:\n{_show(document.attributions)}"
    )

    if gold.get("anonymous"):
        head = head_noun(gold["description"])
        found = _narrow(
            f"anonymous source ({head!r})",
            found,
            lambda a: (
                a.anonymous
                and a.speaker is None
                and head in re.findall(r"[\w'-]+", normalise_text(a.speaker_description or ""))
            ),
        )
    else:
        found = _narrow(
            f"speaker {gold['speaker']!r}", found, lambda a: same_entity(a.speaker, gold["speaker"])
        )
    found = _narrow(f"kind {gold['kind']!r}", found, lambda a: a.kind == gold["kind"])
    if gold.get("via"):
        found = _narrow(
            f"via {gold['via']}",
            found,
            lambda a: (
                len(a.via) == len(gold["via"])
                and all(same_entity(v, g) for v, g in zip(a.via, gold["via"], strict=True))
            ),
        )
    if gold.get("hedged"):
        found = _narrow(
            "hedged signal", found, lambda a: any(s.type == "hedged" for s in a.signals)
        )
    if gold.get("evidence"):
        wanted = EVIDENCE_TYPES[gold["evidence"]]
        found = _narrow(
            f"{wanted} signal", found, lambda a: any(s.type == wanted for s in a.signals)
        )
    if gold.get("role"):
        found = _narrow(
            f"role {gold['role']!r}", found, lambda a: role_matches(a.role, gold["role"])
        )


def test_offsets_point_at_the_text(sample_docs: dict[str, Document]) -> None:
    """Every span is where it says it is: figures must link back to their sentence."""
    for document in sample_docs.values():
        assert document.attributions
        for a in document.attributions:
            assert document.text[a.cue_start : a.cue_end] == a.cue
            assert document.text[a.source_start : a.source_end] == a.source_text
            assert (
                a.content.split(" \u2026 ")[0]
                == document.text[a.start : a.start + len(a.content.split(" \u2026 ")[0])]
            )
            for signal in a.signals:
                assert document.text[signal.start : signal.end] == signal.text


def test_anonymous_sources_are_never_named(sample_docs: dict[str, Document]) -> None:
    for document in sample_docs.values():
        for a in document.attributions:
            if a.anonymous:
                assert a.speaker is None and a.speaker_entity_key is None
                assert a.speaker_description


@pytest.mark.skipif(GOLD is None, reason=MISSING)
def test_unsupported_generalisation_is_flagged(sample_docs: dict[str, Document]) -> None:
    for name, spec in GOLD["documents"].items():
        for phrase in spec.get("unsupported_generalisations") or []:
            document = sample_docs[name]
            hits = [
                s
                for s in document.signals
                if s.type == "unsupported_generalisation"
                and s.start is not None
                and normalise_text(document.text[s.start : s.start + len(phrase)])
                == normalise_text(phrase)
            ]
            assert hits, [s for s in document.signals if s.scope == "sentence"]


def test_details_not_provided_strengthens_evidence(sample_docs: dict[str, Document]) -> None:
    """'He did not provide more details' is noted on the claim it follows."""
    document = sample_docs["002_133a9d732627dffb.txt"]
    assert any(s.type == "details_not_provided" for s in document.signals)
    strengthened = [
        s
        for a in document.attributions
        for s in a.signals
        if s.type == "evidence_promised_not_shown" and "did not provide" in (s.detail or "")
    ]
    assert strengthened


@pytest.mark.parametrize(
    ("text", "cue", "word", "grown"),
    [
        (
            "For years she has been a loud voice in support of the sanctions on the "
            "country's military rulers.",
            "support",
            "the",
            "the sanctions on the country's military rulers",
        ),
        (
            "At the debate, Kelly confronted him with insulting remarks he had made about women.",
            "confronted",
            "him",
            "him with insulting remarks he had made about women",
        ),
        ("The mayor said it was late.", "said", "it", "it"),  # a subject, not a fragment
    ],
)
def test_a_one_word_tagger_content_grows_to_the_phrase_it_opens(nlp, text, cue, word, grown):
    """Written for this test. The tagger sometimes stops a content after a determiner or an
    object pronoun; the parse gives the phrase it opens."""
    from claimgraph.annotate.attribution import _grown_fragment

    doc = nlp(text)
    start = re.search(rf"\b{word}\b", text).start()
    cue_token = next(t for t in doc if t.text == cue)
    span = _grown_fragment(doc, (start, start + len(word)), cue_token)
    assert text[span[0] : span[1]] == grown


def test_an_inverted_cue_gets_its_speaker_back_from_the_tagger_s_swap(nlp):
    """Written for this test. Before an inverted cue ("..., warned a member of the board") the
    tagger can take the reported clause for the source and the speaker for the content."""
    from claimgraph.annotate.attribution import _uninverted
    from claimgraph.annotate.tagger import SpanRelation

    text = (
        "In addition to the delays, the council's pursuit of new rules risks backfiring in "
        "other ways, warned a member of the planning board."
    )
    doc = nlp(text)
    clause = "the council's pursuit of new rules risks backfiring in other ways"
    speaker = "a member of the planning board"
    cue = next(t for t in doc if t.text == "warned")

    def at(part: str) -> tuple[int, int]:
        return text.index(part), text.index(part) + len(part)

    fixed = _uninverted(doc, SpanRelation(at("warned"), at(clause), at(speaker)), cue)
    assert (fixed.source, fixed.content) == (at(speaker), at(clause))
    # the usual order stays as the tagger found it
    usual = SpanRelation(at("warned"), at(speaker), at(clause))
    assert _uninverted(doc, usual, cue) == usual


def test_a_cue_takes_the_auxiliaries_adverbs_and_preposition_polnear_puts_in_it(nlp):
    """Written for this test. PolNeAR's cues hold the auxiliaries, negation and adverbs before
    the verb and a preposition between the verb and what was said; ours did not."""
    from claimgraph.annotate.attribution import Relation, _cue_edges

    def relation(text: str, cue: str, source: str, content: str) -> tuple[Relation, object]:
        doc = nlp(text)

        def at(part: str) -> tuple[int, int]:
            return text.index(part), text.index(part) + len(part)

        token = next(t for t in doc if t.idx == text.index(cue.split()[0]))
        return Relation("indirect", [at(content)], at(cue), at(source), token.i), doc

    text = "The harbour master has repeatedly said that the new pier is unsafe."
    found, doc = relation(text, "said", "The harbour master", "the new pier is unsafe")
    start, end = _cue_edges(doc, found).cue
    assert text[start:end] == "has repeatedly said"

    text = "The fishermen's union voiced its contempt for the new quota rules."
    found, doc = relation(
        text, "voiced its contempt", "The fishermen's union", "the new quota rules"
    )
    start, end = _cue_edges(doc, found).cue
    assert text[start:end] == "voiced its contempt for"

    text = "When asked, the harbour master said the pier would reopen in May."
    found, doc = relation(text, "said", "the harbour master", "the pier would reopen in May")
    assert _cue_edges(doc, found).cue == found.cue


def test_a_tagger_content_never_cuts_a_noun_phrase(nlp):
    """Written for this test. The tagger sometimes starts or stops a content inside a noun
    phrase ("new harbour plan" of "the council's new harbour plan"); PolNeAR's contents take
    the whole phrase. A line break, the cue and the source stay outside."""
    from claimgraph.annotate.attribution import Relation, _whole_phrases

    def grown(text: str, part: str) -> list[str]:
        doc = nlp(text)
        cue = next(t for t in doc if t.pos_ == "VERB")
        content = [(text.index(part), text.index(part) + len(part))]
        found = Relation("indirect", content, (cue.idx, cue.idx + len(cue)), (0, 18), cue.i)
        chunks = [(c.start, c.end) for c in doc.noun_chunks]
        return [text[a:b] for a, b in _whole_phrases(doc, found, chunks)]

    text = "The ferry operator criticised the council's new harbour plan on Monday."
    assert grown(text, "new harbour plan") == ["the council's new harbour plan"]
    assert grown(text, "the council's new") == ["the council's new harbour plan"]
    text = "The ferry operator welcomed a two-year freeze on ferry fares."
    assert grown(text, "freeze on ferry fares") == ["a two-year freeze on ferry fares"]


def test_a_tagger_content_runs_on_to_the_verb_its_words_hang_on(nlp):
    """Written for this test. The tagger sometimes stops an indirect content before the verb
    of its own clause ("that it | would raise fares"); the content runs to that verb's phrase,
    never over its cue or source."""
    from claimgraph.annotate.attribution import Relation, _whole_clause

    def grown(text: str, cue: str, source: str, part: str) -> list[str]:
        doc = nlp(text)

        def at(piece: str) -> tuple[int, int]:
            return text.index(piece), text.index(piece) + len(piece)

        token = next(t for t in doc if t.text == cue)
        found = Relation("indirect", [at(part)], at(cue), at(source), token.i, rule="model")
        return [text[a:b] for a, b in _whole_clause(doc, found)]

    text = "The ferry operator warned that it would raise fares in the spring."
    assert grown(text, "warned", "The ferry operator", "it") == [
        "it would raise fares in the spring"
    ]
    text = "The mayor urged residents to stay indoors during the storm."
    assert grown(text, "urged", "The mayor", "residents to") == [
        "residents to stay indoors during the storm"
    ]
    text = "Fares will rise in the spring, the ferry operator warned."
    assert grown(text, "warned", "the ferry operator", "Fares will rise in the spring") == [
        "Fares will rise in the spring"
    ]


def _tagged(text: str, **kinds: list[str]) -> dict[str, list[tuple[int, int]]]:
    """Tagger spans written by hand: each kind's pieces, found in ``text`` by their first
    occurrence (``Source=["The ferry operator"], Cue=["warned"], ...``)."""
    return {
        kind: [(text.index(p), text.index(p) + len(p)) for p in pieces]
        for kind, pieces in kinds.items()
    }


def test_every_tagger_relation_gets_whole_phrases_and_its_clause(nlp):
    """Written for this test. The tagger alone (--attribution model) and the hybrid's choice
    between a rule's content and the tagger's both read the tagger's relations grown to whole
    phrases and clauses."""
    from claimgraph.annotate.attribution import tagged_relations

    text = "The ferry operator warned that it would raise fares in the spring."
    doc = nlp(text)
    spans = _tagged(text, Source=["The ferry operator"], Cue=["warned"], Content=["it"])
    (found,) = tagged_relations(doc, spans)
    assert [text[a:b] for a, b in found.content] == ["it would raise fares in the spring"]


def test_tagger_spans_that_a_retrained_tagger_gave_are_held_to_the_rules_conditions(nlp):
    """Session 20: a tagger retrained by the same script (other weights than the shipped ones)
    tagged "read" in "She read the report" as a cue, and paired "endorsing" with the next
    quotation, which its own '..., said Lopez' signs. Whatever the weights: "read" with an
    object or a person for its subject is a reader reading, never a cue (cues.yaml
    document_verbs; the rules' narrower list of documents would lose "read" cues that the
    blind news gold counts), and a quotation the rules gave to its own cue is no cue's outside
    its sentences in the hybrid (PolNeAR dev hybrid cue exact F1 69.1 -> 69.2)."""
    from claimgraph.annotate.attribution import find_attributions, tagged_relations

    text = 'She read the report on Monday. "It is a good report," she said.'
    doc = nlp(text)
    spans = _tagged(text, Source=["She"], Cue=["read"], Content=["the report"])
    assert tagged_relations(doc, spans) == []
    text = 'The letter read: "We will not accept the terms."'
    doc = nlp(text)
    spans = _tagged(
        text, Source=["The letter"], Cue=["read"], Content=["We will not accept the terms."]
    )
    assert len(tagged_relations(doc, spans)) == 1

    text = (
        '"We need somebody who can win," said Okafor in his speech endorsing the governor. '
        '"If we spend the spring dividing the party, we will regret it," said Lopez.'
    )
    doc = nlp(text)
    spans = _tagged(
        text,
        Source=["Okafor in his speech", "Lopez"],
        Cue=["endorsing"],
        Content=["If we spend the spring dividing the party, we will regret it,"],
    )
    said = text.rindex("said")  # the second "said", Lopez's
    spans["Cue"].append((said, said + 4))
    found = {a.cue: a.speaker for a in find_attributions(doc, spans, "hybrid")}
    assert "endorsing" not in found and found.get("said") is not None, found


def test_a_tagger_source_in_the_subjects_clause_and_a_wish_to_stay_unnamed(nlp):
    """Session 20, from a retrained tagger's errors (other weights than the shipped ones):
    "Chuck Schumer, D-N.Y., who had called for the testimony to be public, welcomed" tagged
    "public" as the source of "welcomed": a source inside a clause that qualifies the cue's
    subject is that subject, before the clause (PolNeAR dev hybrid source exact F1 75.7 ->
    75.9; not in text without commas, whose parse misplaces clauses). And "an agent told
    Townhall, who asked to remain unnamed": asking to remain unnamed is a condition the source
    set, nothing it said."""
    from claimgraph.annotate.attribution import tagged_relations

    text = (
        "Senate Minority Leader Chuck Schumer, D-N.Y., who had called for the testimony to be "
        "public, welcomed the decision."
    )
    doc = nlp(text)
    spans = _tagged(text, Source=["public"], Cue=["welcomed"], Content=["the decision"])
    (found,) = tagged_relations(doc, spans)
    assert text[found.source[0] : found.source[1]] == "Senate Minority Leader Chuck Schumer, D-N.Y"
    text = "An agent told Townhall, who asked to remain unnamed due to fears of retaliation."
    doc = nlp(text)
    spans = _tagged(text, Source=["who"], Cue=["asked"], Content=["to remain unnamed"])
    assert tagged_relations(doc, spans) == []


def test_the_tagger_alone_gives_cues_polnear_s_edges_too(nlp):
    """Written for this test. --attribution model draws a cue's edges as the hybrid does."""
    from claimgraph.annotate.attribution import find_attributions

    text = "The harbour master has repeatedly said that the new pier is unsafe."
    doc = nlp(text)
    spans = _tagged(
        text, Source=["The harbour master"], Cue=["said"], Content=["that the new pier is unsafe"]
    )
    (found,) = find_attributions(doc, spans, "model")
    assert found.cue == "has repeatedly said"


def test_a_cue_takes_its_auxiliary_across_a_no_break_space(nlp):
    """Written for this test. A no-break space is a token of its own in the parse; the
    auxiliary on its other side is still the cue's."""
    from claimgraph.annotate.attribution import Relation, _cue_edges

    text = "The harbour master has\u00a0acknowledged that the new pier is unsafe."
    doc = nlp(text)
    cue = (text.index("acknowledged"), text.index("acknowledged") + len("acknowledged"))
    content = (text.index("the new"), text.index("."))
    token = next(t for t in doc if t.text == "acknowledged")
    found = Relation("indirect", [content], cue, (0, 18), token.i)
    start, end = _cue_edges(doc, found).cue
    assert text[start:end] == "has\u00a0acknowledged"


@pytest.mark.parametrize(
    ("text", "cue", "content", "rule", "reports"),
    [
        # a clause after a cue of saying, thinking or showing: what a fact-checker checks
        (
            "The mayor said the bridge would reopen in May.",
            "said",
            "the bridge would",
            "model",
            "statement",
        ),
        (
            "The audit found that the fund lost money.",
            "found",
            "that the fund",
            "model",
            "statement",
        ),
        ('"We will rebuild," the mayor said.', "said", "We will rebuild", "verb", "statement"),
        # the clause a cue's noun takes, but not a relative clause on it
        (
            "The senator relayed the claim the agency hid the data.",
            "claim",
            "the agency hid",
            "model",
            "statement",
        ),
        (
            "The senator cited a report lawmakers will use in May.",
            "a report",
            "lawmakers will use",
            "model",
            "position",
        ),
        # a stance or speech act with a thing or an intent for content
        (
            "The senator endorsed the governor on Friday.",
            "endorsed",
            "the governor",
            "verb",
            "position",
        ),
        (
            "The minister declined to comment on the report.",
            "declined",
            "to comment",
            "model",
            "position",
        ),
        ("The union said nothing about the strike.", "said", "nothing about", "model", "position"),
        (
            "The council requested the agency review its figures.",
            "requested",
            "the agency review",
            "model",
            "position",
        ),
        # something the source did
        (
            "The company unveiled a plan that would cut jobs.",
            "unveiled",
            "a plan that",
            "model",
            "act",
        ),
        (
            "The governor shared a photo of the flooded road.",
            "shared",
            "a photo of",
            "model",
            "act",
        ),
    ],
)
def test_an_attribution_says_whether_it_reports_a_statement_a_position_or_an_act(
    nlp, text: str, cue: str, content: str, rule: str, reports: str
) -> None:
    """`what_it_reports` on the relation the rules or the tagger would give (made-up text).
    On 309 judged rows of unseen news (session 17), statements were fully right 73% of the
    time and 2% no attribution; acts 9% and 71%."""
    from claimgraph.annotate.attribution import Relation, what_it_reports

    doc = nlp(text)
    c = text.index(cue)
    start = text.index(content)
    quoted = text.startswith('"')
    end = text.index(",") if quoted else len(text) - 1  # to the sentence's end
    relation = Relation(
        kind="direct" if quoted else "indirect",
        content=[(start, end)],
        cue=(c, c + len(cue)),
        source=None,
        cue_token=doc.char_span(c, c + len(cue)).start,
        rule=rule,
    )
    assert what_it_reports(doc, relation) == reports


def test_a_tagger_source_that_is_only_a_place_in_the_subject_is_the_subject(nlp) -> None:
    """h20r, record 4533: the tagger gave "a woman in Limon, Colorado, reported" the source
    "Colorado", a place as speaker. A tagged source that is a place inside its cue's subject
    phrase grows to that phrase (PolNeAR dev source 75.61 -> 75.66, first 200 train articles
    79.96 -> 80.10); a place that is the subject itself stays."""
    from claimgraph.annotate.attribution import _subject_around_place

    text = "In that case, a woman in Limon, Colorado, reported to police that she was threatened."
    doc = nlp(text)
    cue = next(t for t in doc if t.text == "reported")
    place = next(t for t in doc if t.text == "Colorado")
    start, end = _subject_around_place(doc, place.i, cue)
    assert text[start:end] == "a woman in Limon, Colorado"
    woman = next(t for t in doc if t.text == "woman")
    assert _subject_around_place(doc, woman.i, cue) is None
    doc = nlp("Colorado reported that the vote was delayed.")
    cue = next(t for t in doc if t.text == "reported")
    assert _subject_around_place(doc, 0, cue) is None


def test_an_as_clause_names_its_own_speaker(nlp) -> None:
    """h20s, record 4795: "As CBN News reported back in 2019, Planned Parenthood's leaders
    admitted ..." gave the report to the leaders (the tagger pairs the cue with the subject
    after it). The "as" clause's own subject speaks (PolNeAR dev unchanged: 1 change in 200
    train articles, right); an inverted cue keeps the source after it."""
    text = (
        "As CBN News reported back in 2019, Planned Parenthood's leaders admitted the "
        "organization's mission is abortion."
    )
    doc = nlp(text)
    reported = [a for a in doc._.cg_attributions if a.cue == "reported"]
    assert [a.speaker for a in reported] == ["CBN News"]
    from claimgraph.annotate.attribution import _as_clause_subject

    text = "The budget is as thin as the paper it is written on, added Rep. Jim Clyburn."
    doc = nlp(text)
    added = next(t for t in doc if t.text == "added")
    cue = (added.idx, added.idx + len(added))
    assert _as_clause_subject(doc, cue, (text.index("Rep."), len(text) - 1), added) is None


def test_the_rules_read_an_as_clause_of_saying_without_the_tagger(nlp) -> None:
    """Session 20: "As CBN News reported" was found by the shipped tagger alone, and a
    retrained one (same script, other weights) missed it. The rules read the construction: an
    opening "as" clause reports the main clause after its comma; one closing the sentence
    ("..., as the minister said") leaves itself out of the content. A verb with an object of
    its own ("As Clinton talked about X, ...") and a participle are no such clause (PolNeAR
    dev, rules: content exact F1 51.0 -> 51.2, hybrid unchanged)."""
    from claimgraph.annotate.attribution import find_attributions

    def rules(text: str) -> list[tuple[str, str, str]]:
        doc = nlp(text)
        return [
            (a.cue, text[a.source_start : a.source_end], a.content)
            for a in find_attributions(doc, extractor="rules")
        ]

    assert rules("As Reuters noted on Friday, the deal collapsed in March.") == [
        ("noted", "Reuters", "the deal collapsed in March")
    ]
    assert rules("The economy is growing, as the minister said on Monday.") == [
        ("said", "the minister", "The economy is growing")
    ]
    found = rules("As Clinton talked about bringing communities together, Trump smiled.")
    assert all(c != "Trump smiled" for _, _, c in found), found


def test_a_tagger_source_cut_after_a_possessive_is_the_subject(nlp) -> None:
    """h20s, record 4791: "Even National Geographic's own writeup of Fauci's remarks
    characterizes it this way: ..." was tagged with the source "'s remarks", which made
    Fauci the speaker of what a medium wrote. A source that opens on a possessive inside its
    cue's subject is that subject (PolNeAR dev unchanged), and a writeup is the document of
    its owner."""
    text = (
        "Numerous media outlets have claimed that Fauci contradicted Pompeo.\n\nEven National "
        "Geographic's own writeup of Fauci's remarks characterizes it this way: \" Based on "
        'the scientific evidence, he does not believe the virus was made in a lab."'
    )
    doc = nlp(text)
    found = [a for a in doc._.cg_attributions if a.cue.startswith("characterizes")]
    assert [a.speaker for a in found] == ["National Geographic"]
    assert text[found[0].source_start : found[0].source_end].startswith("National Geographic")


def test_a_list_of_outlets_words_gives_each_outlet_its_line(nlp) -> None:
    """h20s, record 4791: an article about coverage lists headlines and quotes as "Outlet:
    words". Each line is the outlet's (cue: the colon), a name never runs over the colon
    ("The Hill: Fauci" was one organisation, then Fauci spoke for The Hill), and the verb of
    a headline keeps its own subject. A colon after a name outside such a list, a banner in
    capitals or a book title with an outlet word inside a word ("Post-Christian") is none."""
    text = (
        "Numerous media outlets have claimed that Fauci's comments contradict Pompeo's. For "
        "example:\n\nBusiness Insider: Fauci again dismisses conspiracy theory that the virus "
        "was made in a Wuhan lab\n\nNewsweek: Dr. Fauci dismisses Wuhan lab as source of "
        "coronavirus, contradicting Pompeo and Trump\n\nThe Hill: Fauci dismisses 'circular "
        "argument' coronavirus originated in Chinese lab\n\nIt is true that Fauci stated his "
        "belief."
    )
    doc = nlp(text)
    listed = [(a.speaker, a.reports) for a in doc._.cg_attributions if a.cue == ":"]
    assert listed == [
        ("Business Insider", "statement"),
        ("Newsweek", "statement"),
        ("The Hill", "statement"),
    ]
    dismisses = [a for a in doc._.cg_attributions if a.cue == "again dismisses"]
    assert [text[a.source_start : a.source_end] for a in dismisses] == ["Fauci"]
    for alone in (
        "The council met on Monday.\n\nNewsweek: the council will vote on the budget next week.",
        "The rally began at noon.\n\nBREAKING NEWS: The council will vote on the budget today.",
        "He wrote a book.\n\nPost-Christian America: Gullible, Intolerant, and Superstitious\n\n"
        "Post-Christian Europe: Gullible, Intolerant, and Superstitious",
    ):
        assert not [a for a in nlp(alone)._.cg_attributions if a.cue == ":"], alone


def test_a_document_reads_its_words_and_a_person_who_reads_says_nothing(nlp) -> None:
    """h20s, record 4732: '"...," the network's motion to dismiss reads.' was no attribution.
    "read" is a cue for a document's words (cues.yaml document_verbs): next to a quotation
    and with a document for its subject only; the tagger does not read that list."""

    def cues(text: str) -> list[tuple[str, str]]:
        doc = nlp(text)
        return [(a.cue, text[a.source_start : a.source_end]) for a in doc._.cg_attributions]

    text = '"No entry after dark," the sign on the gate reads.'
    assert ("reads", "the sign on the gate") in cues(text)
    text = 'The letter read: "We will not accept the terms offered by the ministry."'
    assert ("read", "The letter") in cues(text)
    # h20r's judged record 4518: "the reaction reads as a belief that ..." (the tagger's) is
    # no saying: "read" says something only beside a quotation, where it is direct
    from claimgraph.annotate.attribution import _saying_words

    assert "read" not in _saying_words() and "say" in _saying_words()
    for text in (
        'She read the report on Monday. "It is a good report," she said.',
        'Brennan called his counterpart to read him the riot act: "I said that all '
        'Americans would be outraged."',
    ):
        assert not [c for c in cues(text) if c[0].startswith("read")], text
