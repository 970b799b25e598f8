"""Fact-checks: every reader format, idempotent import, matching on the sample, the eval gate.

The readers are tested on small files the tests write (HTML with JSON-LD, a JSON-LD list,
JSON Lines, a Google Fact Check Tools response, bad rows and files) and on the real exports in
../shared/data; matching links the sample's claims to EUvsDisinfo cases.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimgraph.cli import app
from claimgraph.factchecks import (
    BadRecord,
    FactCheck,
    MatchSettings,
    factcheck_id,
    import_records,
    match_claims,
    read_factchecks,
)
from claimgraph.factchecks.match import date_span, in_window, query_text, rank_claims
from claimgraph.factchecks.model import iso_date, rating_of
from claimgraph.link.embeddings import load_encoder
from claimgraph.link.retrieval import HybridIndex
from claimgraph.link.stage import CachedEncoder
from claimgraph.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = SHARED / "data"
EXAMPLES = REPO / "examples"
TEST_DB = os.environ.get("CLAIMGRAPH_TEST_DB", "")

PAGE = """<!doctype html><html lang="es"><head><title>Verificación</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "WebSite",
 "name": "Chequeo"}</script>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "NewsArticle", "headline": "not a review"},
  {"@type": ["ClaimReview"], "url": "https://chequeo.example/es/helicopteros",
   "claimReviewed": "Helicópteros de EE.UU. evacuaron a líderes del ISIS en Deir ez-Zor",
   "datePublished": "2017-09-12T10:00:00+02:00", "inLanguage": "es",
   "headline": "Es falso que EE.UU. evacuara a líderes del ISIS",
   "author": {"@type": "Organization", "name": "Chequeo Ejemplo"},
   "itemReviewed": {"@type": "Claim", "datePublished": "2017-09-07",
     "author": {"@type": "Organization", "name": "Agencia X"},
     "appearance": [{"@type": "CreativeWork", "url": "https://agencia-x.example/1"}]},
   "reviewRating": {"@type": "Rating", "alternateName": "Falso", "ratingValue": 1,
     "bestRating": 5, "worstRating": 1}}
]}
</script>
<script type="application/ld+json">{"@type": "ClaimReview", "claimReviewed": broken</script>
</head><body><p>…</p></body></html>"""

JSONLD_LIST = [
    {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://checker.example/a",
        "claimReviewed": "The US airdropped weapons to ISIS near Tal Afar.",
        "datePublished": "2017-08-30",
        "author": {"@type": "Organization", "name": "Checker"},
        "reviewRating": {"@type": "Rating", "alternateName": "Pants on Fire!"},
    },
    {
        "@type": "Claim",
        "text": "Iraqi police saw a US aircraft dropping weapons for ISIS.",
        "review": {
            "@type": "http://schema.org/ClaimReview",
            "url": "https://checker.example/b",
            "publisher": {"name": "Checker"},
            "reviewRating": {"ratingValue": "2", "bestRating": "5", "worstRating": "1"},
        },
    },
    {"@type": "ClaimReview", "url": "https://checker.example/c", "claimReviewed": "  "},
]

GOOGLE = {
    "claims": [
        {
            "text": "US helicopters evacuated ISIS commanders from Deir Ezzor",
            "claimant": "Social media posts",
            "claimDate": "2017-09-06T00:00:00Z",
            "claimReview": [
                {
                    "publisher": {"name": "Fact Checker One", "site": "one.example"},
                    "url": "https://one.example/check/1",
                    "title": "No evidence US evacuated ISIS commanders",
                    "reviewDate": "2017-09-10T00:00:00Z",
                    "textualRating": "Mostly False",
                    "languageCode": "en",
                },
                {
                    "publisher": {"site": "two.example"},
                    "url": "https://two.example/fc/9",
                    "reviewDate": "2017-09-11",
                    "textualRating": "Falsch",
                    "languageCode": "de",
                },
            ],
        },
        {"claimant": "nobody", "claimReview": [{"url": "https://one.example/2"}]},
    ],
    "nextPageToken": "abc",
}

FLAT_CSV = (
    ",claimReviewed,datePublished,author.properties.name,itemReviewed.properties.author."
    "properties.name,reviewRating.properties.alternateName,url\n"
    '0,"Kissing bugs spread Chagas disease in the Netherlands.",2017/05/02,Nieuwscheckers,'
    "Clickbaitsites,onwaar,http://nieuwscheckers.example/chagas\n"
    "1,,2017/02/16,Nieuwscheckers,,,http://nieuwscheckers.example/empty\n"
)


def _records(paths: list[Path]) -> tuple[list[FactCheck], list[BadRecord]]:
    out = list(read_factchecks(paths))
    return [r for r in out if isinstance(r, FactCheck)], [
        r for r in out if isinstance(r, BadRecord)
    ]


@pytest.fixture
def sample_files(tmp_path: Path) -> list[Path]:
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "list.jsonld").write_text(json.dumps(JSONLD_LIST), encoding="utf-8")
    (tmp_path / "google.json").write_text(json.dumps(GOOGLE), encoding="utf-8")
    (tmp_path / "flat.csv").write_text(FLAT_CSV, encoding="utf-8")
    lines = [json.dumps(JSONLD_LIST[0]), "{not json", json.dumps(GOOGLE["claims"][0])]
    (tmp_path / "mixed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"@type": "ClaimReview", ', encoding="utf-8")
    (tmp_path / "binary.json").write_bytes(b"\x00\x01\x02\xff" * 50)
    return sorted(tmp_path.iterdir())


# -- readers ---------------------------------------------------------------------------------


def test_html_page_with_jsonld_graph(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    good, bad = _records([tmp_path / "page.html"])
    assert len(good) == 1
    fc = good[0]
    assert fc.claim_text.startswith("Helicópteros de EE.UU. evacuaron")
    assert (fc.rating, fc.rating_original) == ("false", "Falso")
    assert fc.reviewer == "Chequeo Ejemplo" and fc.claimant == "Agencia X"
    assert (fc.review_date, fc.claim_date) == ("2017-09-12", "2017-09-07")
    assert fc.url == "https://chequeo.example/es/helicopteros" and fc.language == "es"
    assert fc.title == "Es falso que EE.UU. evacuara a líderes del ISIS"
    assert fc.format == "claimreview-jsonld" and fc.source.endswith("page.html#1")
    assert fc.extra["appearance"][0]["url"] == "https://agencia-x.example/1"
    assert fc.extra["ratingValue"] == 1
    assert fc.id == factcheck_id(fc.url, fc.claim_text) and fc.id.startswith("fc_")
    # the malformed third script is reported by name, the rest of the page still imports
    assert [b.source.rsplit("#", 1)[1] for b in bad] == ["script3"]
    assert "malformed JSON-LD" in bad[0].reason


def test_jsonld_list_claim_parent_numeric_rating_and_bad_record(tmp_path: Path) -> None:
    (tmp_path / "list.jsonld").write_text(json.dumps(JSONLD_LIST), encoding="utf-8")
    good, bad = _records([tmp_path / "list.jsonld"])
    assert [fc.rating for fc in good] == ["false", "mostly_false"]
    assert good[0].rating_original == "Pants on Fire!"
    # a ClaimReview under a Claim takes the claim's text; a verdict given only as a number
    # (2 on 1..5) lands on the scale and keeps the number as the reviewer's words
    assert good[1].claim_text == "Iraqi police saw a US aircraft dropping weapons for ISIS."
    assert (good[1].reviewer, good[1].rating_original) == ("Checker", "2/5")
    assert len(bad) == 1 and "no claim text" in bad[0].reason and bad[0].source.endswith("#3")


def test_google_fact_check_tools_response(tmp_path: Path) -> None:
    (tmp_path / "google.json").write_text(json.dumps(GOOGLE), encoding="utf-8")
    good, bad = _records([tmp_path / "google.json"])
    assert [(fc.reviewer, fc.rating, fc.language) for fc in good] == [
        ("Fact Checker One", "mostly_false", "en"),
        ("two.example", "false", "de"),
    ]
    first = good[0]
    assert first.claimant == "Social media posts" and first.claim_date == "2017-09-06"
    assert first.review_date == "2017-09-10" and first.title.startswith("No evidence")
    assert first.format == "google-api" and first.extra["publisher_site"] == "one.example"
    assert good[0].id != good[1].id  # one claim, two reviews: two fact-checks
    assert len(bad) == 1 and bad[0].source.endswith("google.json#2")


def test_flattened_csv_jsonl_and_bad_files(sample_files: list[Path]) -> None:
    good, bad = _records(sample_files)
    by_file: dict[str, list[FactCheck]] = {}
    for fc in good:
        by_file.setdefault(Path(fc.source.split("#")[0]).name, []).append(fc)
    flat = by_file["flat.csv"]
    assert len(flat) == 1 and flat[0].format == "claimreview-csv"
    assert (flat[0].rating, flat[0].claimant, flat[0].review_date) == (
        "false",
        "Clickbaitsites",
        "2017-05-02",
    )
    # a ClaimReview line and a Google claim line with two reviews
    assert len(by_file["mixed.jsonl"]) == 3
    reasons = {Path(b.source).name: b.reason for b in bad}
    assert "no claim text" in reasons["flat.csv#2"]
    assert "malformed JSON line" in reasons["mixed.jsonl#2"]
    assert "malformed JSON" in reasons["broken.json"]
    assert "binary" in reasons["binary.json"]


def test_date_and_rating_helpers() -> None:
    assert iso_date("2018-09-05 19:09:48 UTC") == "2018-09-05"
    assert iso_date("07.09.2017") == "2017-09-07"  # EUvsDisinfo: day first
    assert iso_date("02/26/2017") == "2017-02-26"
    assert iso_date("1970/01/01") is None  # a CMS placeholder, not a date
    assert iso_date("Residencia de Los Pinos, 30 de enero de 2018") == "2018-01-30"
    assert rating_of("Doğruluk Payı Yoktur") == ("false", "Doğruluk Payı Yoktur")
    assert rating_of(None, "-1", "-1", "-1") == ("unrated", None)  # Snopes' -1 says nothing
    assert rating_of("", 6, 7, 1) == ("true", "6/7")


# -- real exports ----------------------------------------------------------------------------


@pytest.mark.needs_shared
def test_claimreview_exports_in_shared_data() -> None:
    good, bad = _records([DATA / "claimreview"])
    assert {fc.format for fc in good} == {"claimreview-csv"}
    central = [
        fc for fc in good if fc.source.startswith(str(DATA / "claimreview" / "claimreviews.csv"))
    ]
    assert len(central) == 8236 - 4  # 4 rows have no claim text
    assert all("no claim text" in b.reason for b in bad) and len(bad) == 4 + 30
    kaepernick = next(fc for fc in central if fc.source.endswith("claimreviews.csv#1"))
    assert kaepernick.claimant == "Conservativecolumns.com"
    assert (kaepernick.reviewer, kaepernick.rating) == ("FactCheck.org", "false")
    assert (kaepernick.claim_date, kaepernick.review_date) == ("2018-09-03", "2018-09-05")
    assert not any("&quot;" in fc.claim_text for fc in good)  # crawl's HTML entities decoded
    # non-English verdicts land on the scale
    turkish = [fc for fc in good if "dogrulukpayi" in fc.source]
    assert {fc.rating for fc in turkish} == {
        "false",
        "mostly_false",
        "mixed",
        "mostly_true",
        "true",
    }
    assert sum(fc.rating == "unrated" for fc in good) < 0.1 * len(good)


@pytest.mark.needs_shared
def test_euvsdisinfo_exports_in_shared_data() -> None:
    good, bad = _records([DATA / "euvsdisinfo"])
    assert {(fc.format, fc.rating, fc.rating_original, fc.language) for fc in good} == {
        ("euvsdisinfo", "false", "disinformation", "en")
    }
    kalkun = [fc for fc in good if "kalkun" in fc.source]
    cknabs = [fc for fc in good if "cknabs_posts" in fc.source]
    assert len(kalkun) == 3071 and len(cknabs) == 10892
    assert len({fc.id for fc in cknabs}) == 10892  # one case URL each
    reasons = {Path(b.source).name: b.reason for b in bad}
    assert "publication links only" in reasons["cknabs_publications.csv"]
    assert "cknabs_datapackage.json" in reasons
    deir = [
        fc for fc in cknabs if re.search(r"evacuated ISIS leaders .* Deir Ezzor", fc.claim_text)
    ]
    assert len(deir) == 2 and all(fc.claim_date == "2017-09-07" for fc in deir)
    assert all(fc.url.startswith("https://euvsdisinfo.eu/report/") for fc in deir)
    assert all(fc.extra["publications"] for fc in deir)  # links from publications.csv beside it
    with_summary = [fc for fc in kalkun if "Deir Ezzor" in fc.claim_text and fc.summary]
    assert with_summary and "helicopter" in with_summary[0].summary


# -- import ----------------------------------------------------------------------------------


def test_import_is_idempotent_and_reports(sample_files: list[Path], tmp_path: Path) -> None:
    db = tmp_path / "fc.db"
    with Store(db) as store:
        first = import_records(store, read_factchecks(sample_files))
        count = store.query("SELECT COUNT(*) AS n FROM factchecks")[0]["n"]
        second = import_records(store, read_factchecks(sample_files))
        again = store.query("SELECT COUNT(*) AS n FROM factchecks")[0]["n"]
        row = store.query(
            "SELECT * FROM factchecks WHERE url = :u",
            {"u": "https://chequeo.example/es/helicopteros"},
        )[0]
    # page 1 + list 2 + google 2 + flat 1; mixed.jsonl's 3 repeat list.jsonld and google.json
    assert first.imported == count == 6 and first.repeated == 3
    assert (second.imported, second.existing, again) == (0, 6, 6)
    # page script 3, list #3, google #2, flat #2, jsonl line 2, broken.json, binary.json
    assert len(first.skipped) == len(second.skipped) == 7
    assert first.by_format == {"claimreview-jsonld": 3, "google-api": 2, "claimreview-csv": 1}
    assert first.by_rating["false"] == 4 and first.by_language["unknown"] == 3
    assert row["rating"] == "false" and row["rating_original"] == "Falso"
    assert json.loads(row["extra"])["ratingValue"] == 1 and row["source"].endswith("page.html#1")


def test_cli_import_twice_says_nothing_new(sample_files: list[Path], tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "cli.db")
    args = ["factchecks", "import", *map(str, sample_files), "--db", db]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert re.search(r"imported \(new\)[\s│]+6", first.output)
    assert "claimreview-jsonld 3" in first.output and "false 4" in first.output
    assert "malformed JSON line" in first.output and "binary.json" in first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and "Nothing new" in second.output
    assert re.search(r"already in the database[\s│]+6", second.output)
    nothing = runner.invoke(
        app, ["factchecks", "import", str(tmp_path / "missing.json"), "--db", db]
    )
    assert nothing.exit_code == 1


# -- matching --------------------------------------------------------------------------------


def test_recency_window() -> None:
    fc = {"claim_date": "2017-09-07", "review_date": "2017-09-20"}
    assert date_span("2017-08") == (date_span("2017-08-01")[0], date_span("2017-08-31")[0])
    assert in_window("2021-07-28", fc, None)
    assert not in_window("2021-07-28", fc, 365)
    assert in_window("2017-10-10", fc, 30) and not in_window("2017-11-10", fc, 30)
    assert in_window("2017-08-15", fc, 30) and not in_window("2017-07-01", fc, 30)
    assert in_window("2017", fc, 0)  # a year-precise claim overlaps the span
    assert in_window(None, fc, 1) and in_window("2017-01-01", {}, 1)  # undated: kept


def _sample_copy(request, dst: Path, nlp) -> Path:
    """A private copy of the linked sample (claims, vectors, narratives), so writing to it never
    changes the session's database; on the PostgreSQL pass it is analysed afresh instead."""
    if TEST_DB:
        from claimgraph.annotate.nlp import model_info
        from claimgraph.engine.local import analyze
        from claimgraph.link.stage import Linker

        with Store(dst) as store:
            analyze(
                [EXAMPLES], store, nlp, model_name=model_info(nlp).describe(), linker=Linker(store)
            )
    else:
        src = request.getfixturevalue("linked_sample_db")
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{src}{suffix}").exists():
                shutil.copy(f"{src}{suffix}", f"{dst}{suffix}")
    return dst


@pytest.fixture(scope="module")
def euvs_db(request, tmp_path_factory, nlp) -> Path:
    """The linked sample with the EUvsDisinfo cases that have summaries (kalkun) imported."""
    dst = _sample_copy(request, tmp_path_factory.mktemp("factchecks") / "sample.db", nlp)
    with Store(dst) as store:
        summary = import_records(
            store, read_factchecks([DATA / "euvsdisinfo" / "kalkun_full_dataset.csv"])
        )
        assert summary.imported > 2500 and not summary.skipped
    return dst


def _evacuation_claims(store: Store, gold: dict) -> list[dict]:
    """The sample's claims that tell the evacuation narrative (gold seeds' members)."""
    narrative = next(n for n in gold["narratives"] if "evacuate" in n["name"])

    def norm(text: str) -> str:
        return " ".join(re.sub(r"[’‘'“”\"]", "'", text).casefold().split())

    members = [norm(text) for _, text in narrative["members"]]
    claims = store.query("SELECT id, text, date FROM claims")
    found = [c for c in claims if any(m in norm(c["text"]) for m in members)]
    assert found, "the sample's evacuation claims were not extracted"
    return found


@pytest.mark.needs_shared
def test_sample_claim_links_to_the_deir_ezzor_case(euvs_db: Path, gold: dict) -> None:
    with Store(euvs_db) as store:
        # one encoder cache for the three runs: the fact-checks are embedded once
        encoder = CachedEncoder(load_encoder())
        written = match_claims(store, MatchSettings(), encoder=encoder)
        deir = {
            r["id"]
            for r in store.query(
                "SELECT id FROM factchecks WHERE claim_text LIKE '%evacuated ISIS leaders%' "
                "AND claim_text LIKE '%Deir Ezzor%'"
            )
        }
        assert deir, "the EUvsDisinfo Deir Ezzor case is not in the import"
        evacuation = {c["id"] for c in _evacuation_claims(store, gold)}
        links = store.query("SELECT * FROM factcheck_links")
        again = match_claims(store, MatchSettings(), encoder=encoder)
        links_again = store.query("SELECT claim_id, factcheck_id, score, rank FROM factcheck_links")
        windowed = match_claims(store, MatchSettings(window_days=365), encoder=encoder)
        windowed_links = store.query(
            "SELECT l.claim_id, f.claim_date, c.date FROM factcheck_links l "
            "JOIN factchecks f ON f.id = l.factcheck_id JOIN claims c ON c.id = l.claim_id"
        )
    assert written == len(links) > 0
    hits = [lk for lk in links if lk["claim_id"] in evacuation and lk["factcheck_id"] in deir]
    assert hits, [
        (lk["claim_text"], lk["factcheck_text"]) for lk in links if lk["claim_id"] in evacuation
    ]
    best = max(hits, key=lambda lk: lk["score"])
    assert best["score"] >= MatchSettings().threshold_for("learned") and best["rank"] <= 3
    assert best["tier"] == "confident"
    # nothing found is hidden: claims keep their top-k, those under the cut-offs as possible
    settings = MatchSettings()
    assert {lk["tier"] for lk in links} == {"confident", "possible"}
    for lk in links:
        if lk["tier"] == "confident":
            assert lk["score"] >= settings.threshold_for("learned")
    unconfident = {lk["claim_id"] for lk in links} - {
        lk["claim_id"] for lk in links if lk["tier"] == "confident"
    }
    assert unconfident, "every claim had a confident link: the possible tier is untested"
    assert "Deir" in best["factcheck_text"] and best["claim_sentence_id"] is not None
    assert json.loads(best["method"])["fusion"] == "learned"
    # every claim keeps at most top_k links, ranked 1..k by score
    per_claim: dict[str, list[dict]] = {}
    for lk in links:
        per_claim.setdefault(lk["claim_id"], []).append(lk)
    for rows in per_claim.values():
        rows.sort(key=lambda lk: lk["rank"])
        assert [lk["rank"] for lk in rows] == list(range(1, len(rows) + 1)) and len(rows) <= 3
        assert [lk["score"] for lk in rows] == sorted((lk["score"] for lk in rows), reverse=True)
    # matching again replaces the links with the same ones
    assert again == written
    assert sorted((r["claim_id"], r["factcheck_id"], r["rank"]) for r in links_again) == sorted(
        (r["claim_id"], r["factcheck_id"], r["rank"]) for r in links
    )
    # a one-year window drops links to cases more than a year from a dated claim
    assert windowed < written
    for r in windowed_links:
        assert in_window(r["date"], {"claim_date": r["claim_date"]}, 365)


def test_tier_follows_both_cut_offs() -> None:
    settings = MatchSettings()  # learned fusion: threshold 0.6, cosine 0.5
    threshold = settings.threshold_for("learned")
    assert settings.tier(threshold, 0.75, 0.8) == "confident"
    assert settings.tier(threshold, 0.55, 0.8) == "possible"  # fused score under the cut-off
    assert settings.tier(threshold, 0.84, 0.45) == "possible"  # close only relative to others
    # another model's rank sums are calibrated for nothing: no confident tier unless asked
    assert settings.threshold_for("rrf") is None
    assert settings.tier(settings.threshold_for("rrf"), 0.99, 0.99) == "possible"
    assert MatchSettings(threshold=0.01).tier(0.01, 0.02, 0.9) == "confident"


def test_a_short_documents_claims_ask_with_the_whole_document() -> None:
    """A post is checked whole: its sentence "Look at this." finds the moon check only through
    the post's text; an article's claims (no document_text) keep their own text."""
    post = "Look at this. NASA hid that the moon is made of cheese!"
    claims = [
        {"id": "c1", "text": "Look at this.", "date": None, "document_text": post},
        {"id": "c2", "text": "Look at this.", "date": None, "document_text": None},
    ]
    assert query_text(claims[0]) == post and query_text(claims[1]) == "Look at this."
    factchecks = {
        "moon": {"id": "moon", "claim_text": "The moon is made of cheese, NASA says"},
        "chips": {"id": "chips", "claim_text": "Vaccines contain microchips"},
    }
    index = HybridIndex(None)  # lexical side only: no model needed
    index.add(list(factchecks), [fc["claim_text"] for fc in factchecks.values()], [None, None])
    ranked = rank_claims(index, claims, factchecks, MatchSettings(possible_similarity=None))
    assert [fid for fid, _, _ in ranked["c1"]][:1] == ["moon"]
    assert "moon" not in [fid for fid, _, _ in ranked["c2"]]


@pytest.mark.sqlite_only("downgrades the SQLite file with sqlite3 to make a v2 database")
def test_links_of_a_version_2_database_become_confident(tmp_path: Path) -> None:
    """Migration 3 adds `factcheck_links.tier` to an existing database; the links it had were
    written above the cut-offs, so they are confident."""
    import sqlite3

    from claimgraph.store.schema import SCHEMA_VERSION

    db = tmp_path / "v2.db"
    Store(db).close()
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE factcheck_links DROP COLUMN tier")
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.execute(
        "INSERT INTO factcheck_links (claim_id, factcheck_id, score, rank, claim_text, "
        "factcheck_text, method, linked_at) VALUES ('c1', 'fc_1', 0.7, 1, 'a', 'b', '{}', 'now')"
    )
    conn.commit()
    conn.close()
    with Store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION >= 3
        assert store.query("SELECT tier FROM factcheck_links") == [{"tier": "confident"}]


def test_cli_match_and_list_on_the_sample(
    request, nlp, sample_files: list[Path], tmp_path: Path
) -> None:
    """The commands end to end: the Google Fact Check Tools reviews of "US helicopters evacuated
    ISIS commanders from Deir Ezzor" are found for the sample's Deir Ezzor claim."""
    db = str(_sample_copy(request, tmp_path / "cli-sample.db", nlp))
    runner = CliRunner()
    imported = runner.invoke(app, ["factchecks", "import", *map(str, sample_files), "--db", db])
    assert imported.exit_code == 0, imported.output
    matched = runner.invoke(app, ["factchecks", "match", "--top-k", "1", "--db", db])
    assert matched.exit_code == 0, matched.output
    written = int(re.search(r"(\d+) links written", matched.output).group(1))
    with Store(db) as store:
        links = store.query(
            "SELECT l.*, f.url FROM factcheck_links l JOIN factchecks f ON f.id = l.factcheck_id"
        )
    assert written == len(links) > 0 and {lk["rank"] for lk in links} == {1}
    assert "claims have a confident fact-check" in " ".join(matched.output.split())
    # either review of the Google claim (two publishers checked the same words)
    google = {"https://one.example/check/1", "https://two.example/fc/9"}
    deir = [lk for lk in links if lk["url"] in google]
    assert any("Deir Ezzor" in lk["claim_text"] for lk in deir), [
        (lk["claim_text"], lk["factcheck_text"]) for lk in links
    ]
    listed = runner.invoke(app, ["factchecks", "list", "--db", db])
    assert listed.exit_code == 0 and f"{written} claim-to-fact-check links" in listed.output
    assert "google-api (2)" in listed.output and "US helicopters evacuated ISIS" in listed.output


# -- evaluation gate -------------------------------------------------------------------------


@pytest.mark.needs_shared
def test_quick_matching_eval_holds_its_floors() -> None:
    import factcheck_matching as ev
    from floors import read_floors

    results = ev.run(SHARED, quick=True)
    floors = read_floors()
    values = ev.floor_values(results, quick=True)
    assert set(values) == {
        "factcheck_quick_euvsdisinfo_p1",
        "factcheck_quick_euvsdisinfo_r5",
        "factcheck_quick_clef_p1",
        "factcheck_quick_clef_r5",
    }
    for key, value in values.items():
        assert key in floors, f"{key} is not pinned in eval/floors.yaml"
        assert value >= floors[key], "\n\n".join(ev.format_report(r) for r in results)
    eu = results[0]
    assert eu["task"] == "euvsdisinfo" and eu["present"] >= 50 and eu["absent"] >= 40
    # the default threshold separates: most correct first hits clear it, most absent ones don't
    threshold = MatchSettings().threshold_for("learned")
    correct = eu["scores_correct"]
    absent = eu["scores_absent"]
    assert sum(s >= threshold for s in correct) / len(correct) > 0.9
    assert sum(s >= threshold for s in absent) / len(absent) < 0.5
    # and the cosine floor keeps the correct ones while absent ones sit far lower
    floor = MatchSettings().min_similarity
    assert sum(c >= floor for c in eu["cosine_correct"]) / len(correct) > 0.9
    median = sorted(eu["cosine_absent"])[len(absent) // 2]
    assert median < sorted(eu["cosine_correct"])[len(correct) // 2] - 0.2


@pytest.mark.needs_shared
def test_analyze_links_its_new_claims_to_imported_factchecks(
    euvs_db: Path, tmp_path: Path, nlp, gold: dict
) -> None:
    """With fact-checks imported first, `analyze` links the claims it adds (no separate
    `factchecks match`), gives what a full match gives, and later runs touch only their claims."""
    from claimgraph.annotate.nlp import model_info
    from claimgraph.engine.local import analyze
    from claimgraph.factchecks.match import cache_root
    from claimgraph.link.stage import Linker

    news = DATA / "news" / "allsides_sample5000.jsonl"
    extra = tmp_path / "extra.jsonl"
    with news.open(encoding="utf-8") as src:
        extra.write_text(src.readline(), encoding="utf-8")
    model = model_info(nlp).describe()
    with Store(tmp_path / "fresh.db") as store:
        import_records(store, read_factchecks([DATA / "euvsdisinfo" / "kalkun_full_dataset.csv"]))
        first = analyze([EXAMPLES], store, nlp, model_name=model, linker=Linker(store))
        pairs = "SELECT claim_id, factcheck_id, rank FROM factcheck_links ORDER BY 1, 3"
        at_analyze = store.query(pairs)
        linked = {r["claim_id"] for r in at_analyze}
        confident = "SELECT DISTINCT claim_id FROM factcheck_links WHERE tier = 'confident'"
        first_confident = {r["claim_id"] for r in store.query(confident)}
        # the summary counts claims with a confident link; possible matches are not "checked"
        assert first.factchecked == len(first_confident) > 0 and first_confident < linked
        deir = {
            r["id"]
            for r in store.query(
                "SELECT id FROM factchecks WHERE claim_text LIKE '%evacuated ISIS leaders%' "
                "AND claim_text LIKE '%Deir Ezzor%'"
            )
        }
        evacuation = {c["id"] for c in _evacuation_claims(store, gold)}
        assert any(r["claim_id"] in evacuation and r["factcheck_id"] in deir for r in at_analyze)
        match_claims(store, MatchSettings())  # the full recompute agrees with analyze's
        assert store.query(pairs) == at_analyze
        # the link as the report and the app show it: under a reported narrative
        reported = store.query(
            "SELECT l.factcheck_id, c.narrative_id, c.sentence_id FROM factcheck_links l "
            "JOIN claims c ON c.id = l.claim_id JOIN narratives n ON n.id = c.narrative_id"
        )
        claim = next(r for r in reported if r["factcheck_id"] in deir)
        _report_and_app_show_link(store, tmp_path / "fresh.db", claim, claim["factcheck_id"])
        second = analyze([extra], store, nlp, model_name=model, linker=Linker(store))
        assert second.documents_added == 1 and second.factchecked is not None
        after = store.query(pairs)
        assert [r for r in after if r["claim_id"] in linked] == at_analyze
        assert len({r["claim_id"] for r in store.query(confident)}) == (
            first.factchecked + second.factchecked
        )
    # the fact-check index was embedded once and cached, keyed by the set it was built from
    assert list((cache_root() / "factcheck-index").glob("*/index.json"))


def _report_and_app_show_link(store: Store, db: Path, claim: dict, factcheck_id: str) -> None:
    """The report's narrative section and the app's narrative page (HTML and JSON) both show
    the fact-check, with a link to the sentence of the claim it was matched to."""
    from fastapi.testclient import TestClient
    from lxml import html as lxml_html

    from claimgraph.report import render_report
    from claimgraph.serve.app import create_app

    (fc,) = store.query("SELECT claim_text, url FROM factchecks WHERE id = :i", {"i": factcheck_id})
    tree = lxml_html.fromstring(render_report(store))
    rows = [
        row
        for table in tree.xpath("//table[@class='factchecks']")
        for row in table.xpath(".//tr")
        if fc["claim_text"][:60] in row.text_content()
    ]
    assert rows, "the report shows no row for the fact-check"
    assert any(
        f"#s-{claim['sentence_id']}" in row.xpath("string(.//a/@href)")
        or f"#s-{claim['sentence_id']}" in " ".join(row.xpath(".//a/@href"))
        for row in rows
    )
    # every claim linked to it says so where it stands in its article, reported narrative or not
    linked = store.query(
        "SELECT c.sentence_id FROM factcheck_links l JOIN claims c ON c.id = l.claim_id "
        "WHERE l.factcheck_id = :i",
        {"i": factcheck_id},
    )
    for row in linked:
        titles = tree.xpath(
            f"//span[@id='s-{row['sentence_id']}']//mark[contains(@class, 'claim')]/@title"
        )
        assert any("fact-checked:" in t for t in titles), row
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as client:
        api = client.get(f"/api/narratives/{claim['narrative_id']}")
        assert api.status_code == 200
        assert factcheck_id in {f["factcheck_id"] for f in api.json()["factchecks"]}
        page = client.get(f"/narratives/{claim['narrative_id']}")
        assert page.status_code == 200 and fc["claim_text"][:60] in page.text
