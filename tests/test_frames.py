"""Who does what to whom in a claim (claimgraph.link.frames): real parses of written text."""

from __future__ import annotations

from claimgraph.link.frames import Frame, Roles, claim_roles, parse_frames, roles_of


def _words(text: str, frame: Frame) -> tuple[set[str], set[str]]:
    def pick(spans):
        return {text[s:e] for s, e in spans}

    return pick(frame.actors), pick(frame.targets)


def test_subject_is_the_actor_and_object_the_target() -> None:
    text = "The Springfield council banned the Shelbyville parade."
    (frame,) = parse_frames([text])
    actors, targets = _words(text, frame)
    assert "council" in actors and "Springfield" in actors
    assert "parade" in targets and "Shelbyville" in targets
    assert "ban" in frame.predicates


def test_a_passive_names_its_actor_after_by() -> None:
    text = "The Shelbyville parade was banned by the Springfield council."
    (frame,) = parse_frames([text])
    actors, targets = _words(text, frame)
    assert "Springfield" in actors and "Shelbyville" in targets


def test_the_one_who_relays_it_is_not_the_actor() -> None:
    """A verb of saying hands over to its clause: the relaying speaker is not the actor."""
    text = "Mayor Quimby told reporters that the Springfield council banned the parade."
    (frame,) = parse_frames([text])
    actors, _ = _words(text, frame)
    assert "Quimby" not in actors and "council" in actors
    assert "ban" in frame.predicates and "tell" not in frame.predicates


def test_roles_are_entities_in_the_frame_and_light_verbs_drop() -> None:
    text = "Springfield is the capital of the state."
    frame = Frame(actors=((0, 11),), targets=(), predicates=("be", "capital"))
    roles = roles_of(frame, [("springfield", 0, 11), ("state", 33, 38)])
    assert roles == Roles(frozenset({"springfield"}), frozenset(), frozenset({"capital"}))
    assert Roles.from_json(roles.to_json()) == roles
    assert text[0:11] == "Springfield"


def test_claim_roles_parses_only_claims_naming_an_anchor() -> None:
    from claimgraph.link.claims import Claim

    texts = {"a": "Springfield banned the Shelbyville parade.", "b": "It rained all day."}
    claims = [Claim(k, "d", t, 0, len(t), None, 0.5, "test") for k, t in texts.items()]
    found = claim_roles(claims, {"a": [("springfield", 0, 11), ("shelbyville", 23, 34)], "b": []})
    assert set(found) == {"a"}
    assert found["a"].actors == {"springfield"} and found["a"].targets == {"shelbyville"}
