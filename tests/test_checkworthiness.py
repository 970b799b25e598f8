"""The shipped check-worthiness scorer on the sample corpus: loads offline, ranks sensibly."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from claimgraph.link import checkworthiness as cw

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared"
DATA = SHARED / "data" / "checkworthiness"


def sample_sentence(file_name: str, starts_with: str) -> str:
    """The whole sentence of the sample that begins with `starts_with` (read, not copied)."""
    text = (EXAMPLES / file_name).read_text(encoding="utf-8")
    found = re.search(rf"{re.escape(starts_with)}[^\n]*?[.!?](?=\s|$)", text)
    assert found, f"{starts_with!r} not in {file_name}"
    return found.group(0)


def sample_paragraph_sentences() -> list[str]:
    """Every body line of the sample split at sentence ends: hundreds of real news sentences."""
    out: list[str] = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            out.extend(s for s in re.split(r"(?<=[.!?\u201d])\s+(?=[A-Z\u201c])", line) if s)
    return out


@pytest.fixture(scope="module")
def scorer() -> cw.CheckworthinessScorer:
    return cw.CheckworthinessScorer.load()


def test_shipped_weights_load_offline_and_say_what_they_are(
    scorer: cw.CheckworthinessScorer,
) -> None:
    assert (cw.SHIPPED_DIR / cw.MODEL_FILE).is_file()
    assert (cw.SHIPPED_DIR / "MODEL_CARD.md").is_file()
    assert scorer.encoder_name == cw.DEFAULT_ENCODER
    assert "checkworthiness" in scorer.name and cw.DEFAULT_ENCODER in scorer.name
    data = scorer.training["data"]
    assert data[cw.CLAIMBUSTER_FILE]["sentences"] == 7976
    assert data[cw.CT19_FILE]["sentences"] == 16421
    size = sum(p.stat().st_size for p in cw.SHIPPED_DIR.iterdir())
    assert size < 5_000_000


def test_factual_claim_outscores_opinion_and_filler(scorer: cw.CheckworthinessScorer) -> None:
    claim = sample_sentence("001_8a7b11a6d13b6ce8.txt", "Watut further added")
    assert "US planes dropped packages of foodstuff" in claim
    bullets = sample_sentence("003_af66014484e4a442.txt", "The sources claim that the terrorists")
    filler = sample_sentence("003_af66014484e4a442.txt", "How comforting")
    opinion = sample_sentence("003_af66014484e4a442.txt", "Meanwhile, president Obama")
    scores = scorer.score([claim, bullets, filler, opinion])
    assert scores[0] > scores[2] + 0.3 and scores[1] > scores[2] + 0.3
    assert scores[0] > scores[3] and scores[1] > scores[3]
    assert scores[0] >= 0.5 and scores[2] < 0.5


def test_scores_are_probabilities_independent_of_batch_order(
    scorer: cw.CheckworthinessScorer,
) -> None:
    sentences = sample_paragraph_sentences()
    assert len(sentences) > 100
    scores = scorer.score(sentences)
    assert scores.shape == (len(sentences),)
    assert np.all(np.isfinite(scores)) and scores.min() >= 0.0 and scores.max() <= 1.0
    assert scores.std() > 0.05  # it ranks; it does not give every sentence the same score
    order = np.random.default_rng(7).permutation(len(sentences))
    shuffled = scorer.score([sentences[i] for i in order])
    np.testing.assert_allclose(shuffled, scores[order], atol=1e-5)
    alone = np.array([scorer.score([s])[0] for s in sentences[:5]])
    np.testing.assert_allclose(alone, scores[:5], atol=1e-5)
    assert scorer.score([]).shape == (0,)


def test_curly_and_straight_quotes_score_alike(scorer: cw.CheckworthinessScorer) -> None:
    curly = sample_sentence("003_af66014484e4a442.txt", "Meanwhile, president Obama")
    assert "\u2019" in curly
    straight = curly.replace("\u2019", "'")
    a, b = scorer.score([curly, straight])
    assert a == pytest.approx(b, abs=1e-6)


def test_train_save_load_round_trip(scorer: cw.CheckworthinessScorer, tmp_path: Path) -> None:
    """A small model trained on real ClaimBuster sentences survives save/load unchanged."""
    cb = cw.read_claimbuster(DATA)
    pick = np.random.default_rng(0).choice(len(cb.texts), 300, replace=False)
    texts = [cb.texts[i] for i in pick]
    model = cw.train(texts[:240], cb.labels[pick[:240]], scorer.encoder, name="round-trip")
    model.save(tmp_path)
    loaded = cw.CheckworthinessScorer.load(str(tmp_path), encoder=scorer.encoder)
    assert loaded.name == model.name == f"round-trip+{cw.DEFAULT_ENCODER}"
    np.testing.assert_allclose(loaded.score(texts[240:]), model.score(texts[240:]), atol=1e-5)
    weights = np.load(tmp_path / cw.WEIGHTS_FILE, allow_pickle=False)  # no pickle inside
    assert set(weights.files) >= {"idf", "coef_lexical", "coef_embedding", "coef_features"}


def test_weights_refuse_another_encoder(scorer: cw.CheckworthinessScorer) -> None:
    class OtherEncoder:
        name = "some-other-model"

        def encode(self, texts: list[str]) -> np.ndarray:
            raise AssertionError("never called")

    with pytest.raises(ValueError, match="trained with encoder"):
        cw.CheckworthinessScorer.load(encoder=OtherEncoder())


def test_precomputed_embeddings_give_the_same_scores(scorer: cw.CheckworthinessScorer) -> None:
    sentences = sample_paragraph_sentences()[:20]
    vectors = scorer.encoder.encode([cw.prepare(s) for s in sentences])
    np.testing.assert_allclose(
        scorer.score(sentences, embeddings=vectors), scorer.score(sentences), atol=1e-6
    )
    with pytest.raises(ValueError, match="shape"):
        scorer.score(sentences, embeddings=vectors[:5])


def test_linguistic_features_fire_on_real_debate_text() -> None:
    ct = cw.read_ct19(DATA)
    yuma = next(t for t in ct.texts if t.startswith("Yuma, it dropped illegal traffic"))
    features = dict(
        zip(cw.FEATURE_NAMES, cw.linguistic_features([cw.prepare(yuma)])[0], strict=True)
    )
    assert features["digit"] == features["percent"] == 1.0
    assert features["first_singular"] == features["question"] == 0.0
    question = next(t for t in ct.texts if t.startswith("How do you miss $6 billion"))
    features = dict(zip(cw.FEATURE_NAMES, cw.linguistic_features([question])[0], strict=True))
    assert features["question"] == features["money"] == features["second_person"] == 1.0


def test_scoring_reads_the_tfidf_the_training_transform_makes(
    scorer: cw.CheckworthinessScorer,
) -> None:
    """Scoring counts words and word pairs term by term, without sklearn; its lexical log-odds
    are those of the sparse TF-IDF transform the weights were trained on."""
    texts = [cw.prepare(s) for s in sample_paragraph_sentences()] + [
        "Unemployment fell to 3.5 percent, the lowest rate in 50 years, the report said.",
        "the the the the",  # a repeated word: sublinear counts
        "",
        "Zxqv blorf.",  # nothing in the vocabulary
    ]
    sparse_part = cw.tfidf(texts, scorer.vocabulary, scorer.idf) @ scorer.coef_lexical
    term_by_term = np.array([scorer._lexical(t) for t in texts])
    assert np.max(np.abs(sparse_part - term_by_term)) < 1e-12
    assert term_by_term[-1] == 0.0 and np.count_nonzero(term_by_term) > len(texts) // 2


def test_scoring_imports_neither_sklearn_nor_scipy() -> None:
    """sklearn with pandas and pyarrow hold ~140 MB in every process that scores claims."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from claimgraph.link import checkworthiness as cw\n"
        "import numpy as np\n"
        "s = cw.CheckworthinessScorer.load(encoder=type('E', (), {'name': cw.shipped_encoder_name()})())\n"
        "p = s.score(['The tax cut cost 1.5 trillion dollars.'], np.zeros((1, 384)))\n"
        "assert 0 < p[0] < 1\n"
        "print(sorted(m for m in ('sklearn', 'scipy', 'pandas') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
