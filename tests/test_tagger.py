"""The trained attribution tagger: shipped in the package, loaded offline, selectable, recorded."""

from __future__ import annotations

import pytest

from claimgraph.annotate.attribution import DEFAULT_EXTRACTOR
from claimgraph.annotate.nlp import load_nlp, model_info
from claimgraph.annotate.tagger import (
    DEFAULT_MODEL_DIR,
    AttributionTagger,
    TaggerNotAvailable,
    decode_bio,
    relations_from,
    strip_content,
)

# Written for these tests (no article of the sample or of PolNeAR).
TEXT = (
    "The harbour master said on Tuesday that the old pier would reopen in May.\n\n"
    '"We are not finished yet," the chief engineer told reporters after the inspection.\n\n'
    "Repairs began in March and cost about four million dollars."
)


def test_bio_runs_start_at_b_and_at_a_stray_i() -> None:
    assert list(decode_bio([0, 1, 2, 2, 0, 2, 2, 1, 1, 0])) == [(1, 4), (5, 7), (7, 8), (8, 9)]


def test_content_convention_drops_complementiser_and_quotes() -> None:
    text = 'He said that "taxes will rise," she added.'
    start = text.index("that")
    stripped = strip_content(text, (start, text.index(",") + 2))
    assert text[stripped[0] : stripped[1]] == "taxes will rise"


def test_cue_pairs_with_the_enveloping_content_and_nearest_source() -> None:
    text = '"We won," the coach said, "and we earned it."'
    cue = (text.index("said"), text.index("said") + 4)
    source = (text.index("the coach"), text.index("the coach") + 9)
    content = (0, len(text))
    (relation,) = relations_from(text, {"Cue": [cue], "Source": [source], "Content": [content]})
    assert relation.source == source and relation.content == content


def test_missing_model_folder_is_an_error_that_names_it(tmp_path) -> None:
    with pytest.raises(TaggerNotAvailable, match=str(tmp_path)):
        AttributionTagger.load(tmp_path)
    with pytest.raises(TaggerNotAvailable):
        load_nlp(attribution="model", attribution_model=str(tmp_path))


def test_a_tagger_refuses_another_pipelines_features(tagger) -> None:
    with pytest.raises(TaggerNotAvailable, match="trained on the features"):
        tagger.check_pipeline("en_core_web_trf 3.8.0")


def test_rules_stay_selectable_and_are_recorded() -> None:
    nlp = load_nlp(attribution="rules")
    assert nlp.get_pipe("claimgraph_attributions").tagger is None
    assert "attribution rules" in model_info(nlp).describe()
    doc = nlp(TEXT)
    assert doc._.cg_attributions
    assert {a.extractor for a in doc._.cg_attributions} == {"rules"}


@pytest.fixture(scope="module")
def tagger() -> AttributionTagger:
    return AttributionTagger.load()


def test_shipped_tagger_loads_offline_and_finds_source_cue_content(tagger) -> None:
    """Sentences written for this test, read as a new user's article would be."""
    assert (DEFAULT_MODEL_DIR / "MODEL_CARD.md").is_file()
    (spans,) = tagger.predict([load_nlp(stages=())(TEXT)])
    cues = [TEXT[a:b] for a, b in spans["Cue"]]
    sources = [TEXT[a:b] for a, b in spans["Source"]]
    assert "said" in cues and any("told" in c for c in cues)
    assert "The harbour master" in sources and "the chief engineer" in sources
    contents = [TEXT[a:b] for a, b in spans["Content"]]
    assert any("the old pier would reopen in May" in c for c in contents)
    assert not any("Repairs began" in c for c in contents)


def test_default_pipeline_records_what_found_each_attribution() -> None:
    nlp = load_nlp()
    component = nlp.get_pipe("claimgraph_attributions")
    assert component.extractor == DEFAULT_EXTRACTOR
    info = model_info(nlp).describe()
    assert "attribution" in info
    doc = nlp(TEXT)
    producers = {a.extractor for a in doc._.cg_attributions}
    assert producers and producers <= {"rules", f"model:{DEFAULT_MODEL_DIR.name}"}


def test_hybrid_keeps_what_both_found_and_leaves_out_stances_only_the_rules_saw() -> None:
    """Sentences written for this test. The rules take "he plans to ..." (a verb of intent with
    a clause) for a report; the tagger does not, and the hybrid follows the tagger there. A
    verb of saying the tagger missed inside what another relation reports (a chain's inner
    link) stays."""
    rules, hybrid = load_nlp(attribution="rules"), load_nlp()
    text = "Bobby Scott said he plans to ramp up fundraising and hire staff before the vote."
    cue = lambda nlp, t: [t[a.cue_start : a.cue_end] for a in nlp(t)._.cg_attributions]  # noqa: E731
    assert cue(rules, text) == ["said", "plans"]
    assert cue(hybrid, text) == ["said"]
    # found by both: the rules' relation (their speaker), recorded as theirs
    assert [a.extractor for a in hybrid(text)._.cg_attributions] == ["rules"]
    chain = (
        "The Fars News Agency reported on Monday that the commander of the brigade said US "
        "helicopters had evacuated the militants."
    )
    assert cue(hybrid, chain) == ["reported", "said"]


@pytest.mark.parametrize("dash", ["\u2013", "\u2015"])
def test_a_quotation_signed_with_any_quotation_dash_is_its_signers(dash: str) -> None:
    """Readers' comments as an outlet lists them, one per line: the quotation, a dash (en dash
    or the horizontal bar some sites print), the name. Written for this test."""
    text = (
        "We asked readers what they thought of the debate.\n"
        f"\u201cHe never answered a single question about the budget.\u201d {dash} Maria Lopez\n"
        f"\u201cShe was calm and prepared the whole night.\u201d {dash} Daniel Okafor\n"
    )
    found = load_nlp(attribution="rules")(text)._.cg_attributions
    said = {a.speaker: a.content for a in found}
    assert said.get("Maria Lopez", "").startswith("He never answered a single question")
    assert said.get("Daniel Okafor", "").startswith("She was calm and prepared")


def test_hybrid_content_runs_on_where_the_rule_stops_at_the_object() -> None:
    """Written for this test: the rules stop a "criticized X for ..." or "described X as ..."
    content at its object; the tagger's content, starting at the same word, runs to the end of
    the sentence, and the hybrid keeps it."""
    rules, hybrid = load_nlp(attribution="rules"), load_nlp()
    for text, stop in (
        ("The mayor criticized the governor for cutting school funding in a crisis.", "funding"),
        ("The union described the offer as an insult to every worker in the plant.", "insult"),
    ):
        (by_rules,) = [a.content for a in rules(text)._.cg_attributions]
        (by_hybrid,) = [a.content for a in hybrid(text)._.cg_attributions]
        assert stop not in by_rules
        assert by_hybrid.startswith(by_rules) and stop in by_hybrid


@pytest.mark.parametrize("attribution", ["rules", "hybrid"])
def test_a_quotation_with_its_own_cue_is_not_the_previous_speakers(attribution: str) -> None:
    """Written for this test: two speeches quoted one after the other, each with its own
    '..., said X'. The second quotation is Lopez's alone, not a continuation of Okafor's."""
    text = (
        'The case for unity was made twice. "We need somebody who can win in November," said '
        'Okafor in his speech endorsing the governor. "If we spend the spring dividing the '
        'party, we will spend the next four years regretting it," said Lopez in her speech.'
    )
    found = load_nlp(attribution=attribution)(text)._.cg_attributions
    said = {a.speaker: a.content for a in found}
    assert said["Okafor"] == "We need somebody who can win in November"
    assert said["Lopez"].startswith("If we spend the spring dividing the party")


def test_in_text_without_commas_or_quotation_marks_the_taggers_content_edges_win() -> None:
    """Written for this test, as scraped copy comes: no commas, no quotation marks. The rules
    draw content edges at punctuation this text lacks; the tagger was trained on such copies."""
    from claimgraph.annotate.attribution import _bare

    text = (
        "The mayor criticized the governor for cutting school funding in a crisis and said "
        "the cuts hurt children most\n\nThe district closed two schools last spring and moved "
        "their pupils to buildings across the river\n\nParents from the east side drove their "
        "children to class for most of the year because the bus routes were cut as well\n\n"
        "The school board meets again on Monday to vote on next year budget and on a plan to "
        "reopen one of the closed buildings in the autumn\n\nThe state education department "
        "has not yet published the figures for this year and its office did not answer our "
        "questions on Friday afternoon\n\nTeachers at the two schools were moved to other "
        "buildings in the district over the summer"
    )
    assert _bare(text) and not _bare("The mayor, who spoke first, said so.")
    assert not _bare(text[:200])  # a sentence or two alone may have no comma to lose
    contents = [a.content for a in load_nlp()(text)._.cg_attributions]
    assert "the governor for cutting school funding in a crisis" in contents
    assert "the cuts hurt children most" in contents


@pytest.mark.parametrize("attribution", ["rules", "hybrid"])
def test_a_content_never_stops_inside_a_quotation_it_opened(attribution: str) -> None:
    """Written for this test: a reported clause that ends on a quoted phrase keeps the closing
    mark (and the full stop inside it), in curly, straight and single marks alike."""
    nlp = load_nlp(attribution=attribution)
    for text, ending in (
        ("The fire chief said the blast was an \u2018intentional act.\u2019", "act.\u2019"),
        ('The mayor said the ruling was a "huge win for the river towns."', 'towns."'),
        ("The mayor said the plan was \u201ca waste of money\u201d.", "money\u201d"),
    ):
        (content,) = [a.content for a in nlp(text)._.cg_attributions]
        assert content.endswith(ending), (text, content)


@pytest.mark.parametrize("attribution", ["rules", "hybrid"])
def test_a_quotation_split_by_its_cue_is_one_content(attribution: str) -> None:
    """Written for this test: '"A," X said, "B."' where A is half a sentence: both halves are
    what X said (PolNeAR marks them as one content around the cue)."""
    text = (
        '"By signing the treaty first," Minister Aline Varga said, "we could ask the other '
        'river states to follow us."'
    )
    found = load_nlp(attribution=attribution)(text)._.cg_attributions
    (said,) = [a for a in found if a.speaker and "Varga" in a.speaker]
    assert said.content.startswith("By signing the treaty first")
    assert "follow us" in said.content
    assert text[said.start : said.end].startswith("By signing") and said.end > said.cue_end


def test_a_line_signed_with_a_dash_is_a_quotation_even_without_its_marks() -> None:
    """Written for this test, as scraped readers' comments come: the quotation marks lost, each
    line a sentence or two, a dash and the reader's name (which the entity recogniser need not
    know), perhaps with a place. A line whose body is no sentence ("Photo \u2013 Getty Images")
    or whose tail is one (a dateline before a lead) is no quotation."""
    text = (
        "We asked readers what they thought of the debate.\n"
        "He never answered a single question about the budget. \u2015 Marisol Quintanilla\n"
        "Photo \u2013 Getty Images\n"
        "She was calm and prepared the whole night! \u2014 Tobiah Wrenfield, Eastport, Maine.\n"
        "PORTLAND, Maine. \u2014 Ines Caldwell hopes the new ferry changes her commute.\n"
    )
    found = load_nlp(attribution="rules")(text)._.cg_attributions
    said = {a.speaker: a.content for a in found}
    assert said.get("Marisol Quintanilla", "").startswith("He never answered a single question")
    assert said.get("Tobiah Wrenfield", "").startswith("She was calm and prepared")
    assert not any("Getty" in (a.speaker or "") for a in found)
    assert "Ines Caldwell" not in said  # a dateline, then a sentence: no signature


@pytest.mark.parametrize("attribution", ["rules", "hybrid"])
def test_a_wire_leads_content_starts_after_its_dateline(attribution: str) -> None:
    """Written for this test: the content before its cue in a wire story's first line."""
    text = (
        "PORTLAND, Maine (AP) \u2014 The ferry operator raised fares by 14 percent in May, the "
        "harbour commission said on Thursday.\n\nThe commission meets again in June."
    )
    found = load_nlp(attribution=attribution)(text)._.cg_attributions
    assert [a.content for a in found] == ["The ferry operator raised fares by 14 percent in May"]


def test_phrase_edges_name_the_widest_phrase_opening_and_closing_at_each_token() -> None:
    """Heads of 'He said that the pier , which opened in May , will close .' as a parser
    draws them (written for this test): the "that" clause opens at "that" and closes at
    "close"; the relative clause opens at "which" and closes at "May"; a word that is no
    phrase's edge gets -1."""
    from claimgraph.annotate.tagger import phrase_edges

    sentence = "He said that the pier , which opened in May , will close ."
    words = sentence.split(" ")
    heads = [1, 1, 12, 4, 12, 4, 7, 4, 7, 8, 4, 12, 1, 1]
    opens, closes = phrase_edges(heads)
    assert words[opens[2]] == "close"  # the clause headed by "close" opens at "that"
    assert words[closes[12]] == "close"
    assert words[opens[6]] == "opened" and words[closes[9]] == "opened"
    assert opens[0] == 1 and closes[13] == 1  # the sentence is said's phrase
    assert opens[5] == -1 and closes[11] == -1


def test_taggers_with_and_without_phrase_edges_read_the_features_they_were_trained_on(
    tagger,
) -> None:
    """The shipped config says whether its tagger reads phrase edges; features follow it, so
    an older tagger folder (without them) still loads and predicts."""
    from claimgraph.annotate.tagger import build_model, doc_features

    doc = load_nlp(stages=())(TEXT)
    plain = doc_features(doc, tagger.vocab, tagger.lexicon)
    edged = doc_features(doc, tagger.vocab, tagger.lexicon, boundaries=True)
    assert len(plain.ids[0]) == 7 and len(edged.ids[0]) == 9
    assert [row[:7] for row in edged.ids] == plain.ids
    for boundaries in (False, True):
        config = {**tagger.config, "boundaries": boundaries}
        model = build_model(config).eval()
        other = AttributionTagger(tagger.path, model, config)
        (spans,) = other.predict([doc])
        assert set(spans) == {"Source", "Cue", "Content"}


def test_encoder_units_are_the_sentences_and_the_cue_gate_keeps_attribution_ones(tagger) -> None:
    """The token encoder reads sentence by sentence; gated, only sentences with a cue word of
    cues.yaml or a quotation mark ("Repairs began ..." has neither)."""
    from claimgraph.annotate.tagger import doc_features, encoder_units

    doc = load_nlp(stages=())(TEXT)
    features = doc_features(doc, tagger.vocab, tagger.lexicon)
    every = encoder_units(features, "all")
    sentences = [TEXT[features.starts[a] : features.ends[b - 1]] for a, b in every]
    assert sentences[0].startswith("The harbour master said") and len(sentences) == 3
    assert sum(b - a for a, b in every) == sum(b - a for a, b in features.lines)
    gated = [
        TEXT[features.starts[a] : features.ends[b - 1]] for a, b in encoder_units(features, "cue")
    ]
    assert gated == sentences[:2]


@pytest.fixture(scope="module")
def token_encoder_dir(tmp_path_factory):
    """The int8 token encoder, exported here from the installed MiniLM package (offline), as
    scripts/train_attribution.py --encoder-states does."""
    import sys

    sys.path.insert(0, str(DEFAULT_MODEL_DIR.parents[2] / "scripts"))
    from train_attribution import export_token_encoder

    folder = tmp_path_factory.mktemp("minilm-tokens")
    export_token_encoder(folder)
    return folder


def test_token_states_are_the_mean_of_each_tokens_word_pieces(tagger, token_encoder_dir) -> None:
    """Each spaCy token gets the mean state of the word pieces its characters cover, from the
    encoder run on its sentence alone; tokens of sentences left out by the gate stay zero."""
    import numpy as np

    from claimgraph.annotate.tagger import TokenEncoder, doc_features, encoder_units

    doc = load_nlp(stages=())(TEXT)
    features = doc_features(doc, tagger.vocab, tagger.lexicon)
    encoder = TokenEncoder(token_encoder_dir, gate="cue")
    states = encoder.states(TEXT, features)
    assert states.shape == (len(doc), 384)
    a, b = encoder_units(features, "cue")[0]
    sentence = TEXT[features.starts[a] : features.ends[b - 1]]
    encoding = encoder.tokenizer.encode(sentence)
    ids = np.array([encoding.ids])
    hidden = encoder.session.run(
        None, {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": 0 * ids}
    )[0][0]
    harbour = next(t for t in doc if t.text == "harbour")
    pieces = [p for p, (s, e) in enumerate(encoding.offsets) if e > s and s < 11 and e > 4]
    assert len(pieces) >= 1
    assert np.allclose(states[harbour.i], hidden[pieces].mean(0), atol=1e-4)
    repairs = next(t for t in doc if t.text == "Repairs")
    assert not states[repairs.i].any() and states[: b - a].any(1).all()


def test_a_tagger_with_encoder_states_loads_its_encoder_or_names_it(
    tagger, token_encoder_dir, tmp_path
) -> None:
    """A config with ``encoder_states`` widens the network's input by the states and loads
    the encoder it names (here by path); a missing one is an error that names it."""
    import json

    from safetensors.torch import save_file

    from claimgraph.annotate.tagger import build_model

    spec = {"model": str(token_encoder_dir), "dim": 384, "gate": "all"}
    config = {**tagger.config, "encoder_states": spec}
    model = build_model(config)
    assert model.project[0].in_features == build_model(tagger.config).project[0].in_features + 384
    save_file(
        {k: v.contiguous() for k, v in model.state_dict().items()}, tmp_path / "model.safetensors"
    )
    (tmp_path / "config.json").write_text(json.dumps(config))
    loaded = AttributionTagger.load(tmp_path)
    (spans,) = loaded.predict([load_nlp(stages=())(TEXT)])
    assert set(spans) == {"Source", "Cue", "Content"}
    config["encoder_states"] = {**spec, "model": str(tmp_path / "nowhere")}
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(TaggerNotAvailable, match="nowhere"):
        AttributionTagger.load(tmp_path)


def test_content_pieces_split_by_a_no_break_space_are_one_content() -> None:
    """Written for this test. Pages put no-break spaces between words; the tagger's pieces
    of one content on either side of one are one content, as across a plain space."""
    from claimgraph.annotate.tagger import merge_touching

    text = "The council promised new ferries,\u00a0more sailings and lower fares."
    first = (text.index("new"), text.index(","))
    second = (text.index("more"), text.index("."))
    assert merge_touching(text, [first, second]) == [(first[0], second[1])]


def test_viterbi_keeps_adjacent_spans_apart_and_never_opens_one_with_i() -> None:
    """Scores written for this test (one kind). Token by token (``decode_probs``) a B that
    only just beats I runs two spans into one, and an I after O opens a span; the CRF's best
    path splits at the B and turns the stray I into the B its constraints demand."""
    import torch

    from claimgraph.annotate.tagger import FORBIDDEN, decode_probs, viterbi

    probs = [
        [0.05, 0.9, 0.05],  # B
        [0.1, 0.1, 0.8],  # I
        [0.1, 0.1, 0.8],  # I
        [0.15, 0.45, 0.4],  # B, by a little
        [0.1, 0.1, 0.8],  # I
        [0.8, 0.1, 0.1],  # O
        [0.3, 0.3, 0.4],  # I after O
        [0.1, 0.1, 0.8],  # I
    ]
    assert list(decode_probs(probs)) == [(0, 5), (6, 8)]
    scores = torch.tensor(probs).log()[None, :, None, :]  # (batch, tokens, kinds, 3)
    free = torch.zeros(1, 3, 3)
    free[0, 0, 2] = FORBIDDEN  # O -> I, as crf_scores adds it
    start = torch.tensor([[0.0, 0.0, FORBIDDEN]])
    tags = viterbi(scores, torch.tensor([len(probs)]), free, start, torch.zeros(1, 3))
    assert tags[0, :, 0].tolist() == [1, 2, 2, 1, 2, 0, 1, 2]
    assert list(decode_bio(tags[0, :, 0].tolist())) == [(0, 3), (3, 5), (6, 8)]
    # Padding past a sequence's length never changes the path of the tokens before it.
    padded = torch.cat([scores, torch.zeros(1, 3, 1, 3)], 1)
    again = viterbi(padded, torch.tensor([len(probs)]), free, start, torch.zeros(1, 3))
    assert again[0, : len(probs), 0].tolist() == tags[0, :, 0].tolist()


def test_a_crf_tagger_decodes_with_its_learned_transitions(tagger, tmp_path) -> None:
    """A config with ``crf`` loads the transitions from model.safetensors and decodes with
    Viterbi: head scores that favour I at every token and a transition that forbids I -> I
    give two-token spans (B I B I ...), where per-token decoding gives one span per line;
    the O -> I constraint holds whatever the stored transitions say."""
    import json

    import torch
    from safetensors.torch import save_file

    from claimgraph.annotate.tagger import build_model

    config = {**tagger.config, "crf": True}
    model = build_model(config)
    linear = model.head[1]
    with torch.no_grad():
        linear.weight.zero_()
        linear.bias.copy_(torch.tensor([0.0, 0.0, 1.0] * 3))
        model.crf_transitions.zero_()
        model.crf_transitions[:, 2, 2] = -5.0  # I -> I
        model.crf_transitions[:, 0, 2] = 5.0  # O -> I: stored, yet still forbidden
    save_file(
        {k: v.contiguous() for k, v in model.state_dict().items()}, tmp_path / "model.safetensors"
    )
    (tmp_path / "config.json").write_text(json.dumps(config))
    loaded = AttributionTagger.load(tmp_path)
    assert loaded.model.crf_transitions[0, 2, 2].item() == -5.0
    doc = load_nlp(stages=())(TEXT)
    (spans,) = loaded.predict([doc])
    words = [t for t in doc if not t.is_space]
    assert len(spans["Content"]) >= len(words) // 2 - 3
    assert all(len(TEXT[a:b].split()) <= 2 for a, b in spans["Content"])
    config.pop("crf")
    plain = AttributionTagger(tmp_path, loaded.model, config)
    (per_token,) = plain.predict([doc])
    assert len(per_token["Content"]) == 3  # one span a line
    # "crf" as a list of kinds: those by Viterbi, the others from the softmax, as above.
    chosen = AttributionTagger(tmp_path, loaded.model, {**config, "crf": ["content"]})
    (mixed,) = chosen.predict([doc])
    assert mixed["Content"] == spans["Content"]
    assert mixed["Cue"] == per_token["Cue"] and mixed["Source"] == per_token["Source"]


def test_viterbi_kinds_reads_true_a_list_of_kinds_or_nothing() -> None:
    from claimgraph.annotate.tagger import has_crf, viterbi_kinds

    assert viterbi_kinds({}) == (False, False, False)
    assert viterbi_kinds({"crf": False}) == (False, False, False)
    assert viterbi_kinds({"crf": True}) == (True, True, True)
    assert viterbi_kinds({"crf": ["content"]}) == (False, False, True)
    assert viterbi_kinds({"crf": ["Source", "content"]}) == (True, False, True)
    assert viterbi_kinds({"crf": []}) == (False, False, False)
    assert has_crf({"crf": []}) and has_crf({"crf": True}) and not has_crf({"crf": False})
    with pytest.raises(ValueError, match="unknown kinds"):
        viterbi_kinds({"crf": ["speaker"]})
    with pytest.raises(ValueError, match="list of kinds"):
        viterbi_kinds({"crf": "content"})


def test_a_tagger_cue_takes_no_source_from_sentences_away(nlp) -> None:
    """User check of records 4200-4239: in a paragraph opening "China signalled it is
    prepared for a protracted trade war", the tagger's cues "would have needed" and "change"
    (of "Mr Trump is now unlikely to change his mind", three sentences on) were each paired
    with the source "China". A tagger source more than a sentence away from its cue is none."""
    doc = nlp(
        "In allowing the yuan to fall, China signalled it is prepared for a protracted trade "
        "war. It let the yuan weaken in response to the threat of tariffs much as a floating "
        "currency would. Otherwise it would have needed to defend an arbitrary line against "
        "the dollar every time America turned belligerent. Its move nonetheless makes further "
        "belligerence more probable. Mr Trump is now unlikely to change his mind about the new "
        "tariffs before they kick in on September 1st."
    )
    # whether "signalled" itself is a cue is the tagger's call (cues.yaml does not list it)
    far = [(a.speaker, a.cue) for a in doc._.cg_attributions if a.cue != "signalled"]
    assert not [pair for pair in far if pair[0] == "China"], far


def test_a_tagger_reads_the_cue_classes_it_was_trained_with(monkeypatch) -> None:
    """Session 20: the shipped weights were reproduced by no script, because the tagger read
    cue classes from cues.yaml as it is today, edited many times since training. A tagger now
    keeps the classes it was trained with (config ``cue_lexicon``); a word the user adds to
    cues.yaml still reaches it, a word moved to another class does not move for it."""
    from claimgraph.annotate import tagger

    monkeypatch.setattr(tagger, "cue_lexicon", lambda: {"say": 3, "signal": 1})
    assert tagger.model_lexicon({"cue_lexicon": {"say": 1, "tell": 1}}) == {
        "say": 1,
        "tell": 1,
        "signal": 1,
    }
    assert tagger.model_lexicon({}) == {"say": 3, "signal": 1}  # an older tagger's config
    shipped = tagger.AttributionTagger.load()
    assert (
        shipped.config["cue_lexicon"]
        and shipped.lexicon["say"] == shipped.config["cue_lexicon"]["say"]
    )
