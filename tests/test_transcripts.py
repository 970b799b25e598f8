"""Transcripts and subtitles: each turn's speaker is the source of what it says.

Every format is built here (SPEAKER: lines, TSV, CSV, SRT, WebVTT); the readers' turns are
checked for order, speaker, text and timecodes, and `claimgraph analyze` is run on a transcript
and a subtitle file to check the speakers end up as attribution sources.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimgraph.annotate.transcript import display_name, is_generic, split_honorific
from claimgraph.cli import app
from claimgraph.ingest import clean_article, read_file, read_paths
from claimgraph.model import Article, Document, Skipped
from claimgraph.store import Store

runner = CliRunner()

DEBATE_TXT = """\
First presidential debate, Hofstra University
HOLT: Good evening from Hofstra University. The first question goes to you, Secretary Clinton.
CLINTON: Thank you, Lester. The economy added 15 million private sector jobs since the recession.
(APPLAUSE)
[00:02:10] TRUMP: Our jobs are fleeing the country. They're going to Mexico.
They're going to many other countries.
HOLT: Mr. Trump, let me follow up with you.
"""

DEBATE_SRT = """\
1
00:00:01,000 --> 00:00:03,500
<i>HOLT: Good evening</i>
from Hofstra University.

2
00:00:03,600 --> 00:00:06,000
The first question goes to you.

3
00:00:06,100 --> 00:00:09,000
>> CLINTON: The economy added
15 million private sector jobs.

4
00:00:09,x00 --> 00:00:10,000
this cue has a broken timecode

5
00:00:10,100 --> 00:00:12,000
[MUSIC] TRUMP: Our jobs are fleeing to Mexico.
"""

DEBATE_VTT = """\
WEBVTT - first debate

NOTE This note is not a cue,
even with two lines.

STYLE
::cue { color: white }

intro
00:01.000 --> 00:03.500 align:start
<v Lester Holt>Good evening from
Hofstra University.</v>

00:03.600 --> 00:06.000
<v.loud Hillary Clinton>The economy added 15 million private sector jobs.

00:06.100 --> 00:09.000
<v Donald Trump>Our jobs are fleeing to Mexico.<v Lester Holt>Thank you, Mr. Trump.
"""


def _article(items: list[Article | Skipped]) -> Article:
    articles = [i for i in items if isinstance(i, Article)]
    assert len(articles) == 1, items
    return articles[0]


def _turns(article: Article) -> list[tuple[str | None, str, str | None, str | None]]:
    """(speaker, what was said, timecode, timecode_end) per turn, checked against the text."""
    text = article.text or ""
    out = []
    for turn in article.turns:
        if turn.speaker is not None:
            assert text[turn.label_start : turn.label_end] == turn.speaker
            assert text[turn.label_end : turn.start] == ": "
        out.append((turn.speaker, text[turn.start : turn.end], turn.timecode, turn.timecode_end))
    return out


def test_speaker_lines_in_a_text_file_are_turns(tmp_path):
    path = tmp_path / "debate.txt"
    path.write_text(DEBATE_TXT, encoding="utf-8")
    article = _article(list(read_file(path)))
    assert article.title == "First presidential debate, Hofstra University"
    assert article.meta["format"] == "transcript"
    assert _turns(article) == [
        (
            "HOLT",
            "Good evening from Hofstra University. The first question goes to you, "
            "Secretary Clinton.",
            None,
            None,
        ),
        (
            "CLINTON",
            "Thank you, Lester. The economy added 15 million private sector jobs since the "
            "recession.",
            None,
            None,
        ),
        (
            "TRUMP",
            "Our jobs are fleeing the country. They're going to Mexico. "
            "They're going to many other countries.",
            "00:02:10.000",
            None,
        ),
        ("HOLT", "Mr. Trump, let me follow up with you.", None, None),
    ]
    assert "APPLAUSE" not in article.text


def test_an_article_with_a_note_line_stays_an_article(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(
        "Parliament passes the budget\n"
        "The parliament passed the budget on Tuesday after a long debate.\n"
        "Note: this article was updated with the final vote count.\n"
        "Critics said the plan cuts too deep. Supporters disagreed.\n"
        "Update: the president signed the bill.\n",
        encoding="utf-8",
    )
    article = _article(list(read_file(path)))
    assert article.turns == []
    assert article.meta["format"] == "text"
    assert "Note: this article" in article.text
    # One speaker talking to nobody is not enough either.
    path.write_text("Title\nSMITH: one.\nSMITH: two.\nSMITH: three.\n", encoding="utf-8")
    assert _article(list(read_file(path))).turns == []


def test_tsv_and_csv_transcripts(tmp_path):
    tsv = tmp_path / "hearing.tsv"
    tsv.write_text(
        "Speaker\tStart\tEnd\tText\n"
        "CHAIRMAN\t00:00:01\t00:00:04,5\tThe committee will come to order.\n"
        "Jane Doe\t65.25\t70\tWe found no evidence of tampering.\n",
        encoding="utf-8",
    )
    assert _turns(_article(list(read_file(tsv)))) == [
        ("CHAIRMAN", "The committee will come to order.", "00:00:01.000", "00:00:04.500"),
        ("Jane Doe", "We found no evidence of tampering.", "00:01:05.250", "00:01:10.000"),
    ]
    csv_path = tmp_path / "interview.csv"
    csv_path.write_text(
        'name,utterance\nHolt,"Good evening, everyone."\nClinton,"Jobs, jobs, jobs."\nTrump,\n',
        encoding="utf-8",
    )
    items = list(read_file(csv_path))
    assert _turns(_article(items)) == [
        ("Holt", "Good evening, everyone.", None, None),
        ("Clinton", "Jobs, jobs, jobs.", None, None),
    ]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [s.source for s in skipped] == [f"{csv_path}#row4"]


def test_a_csv_without_a_text_column_is_skipped_by_name(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("who,when\nHolt,2016\n", encoding="utf-8")
    items = list(read_file(path))
    assert len(items) == 1 and isinstance(items[0], Skipped)
    assert items[0].source == str(path)
    assert "no text column" in items[0].reason and "who, when" in items[0].reason


def test_one_table_of_several_transcripts_and_a_table_of_articles(tmp_path):
    path = tmp_path / "debates.csv"
    path.write_text(
        "line_number,speaker,text,file_name\n"
        '1,TODD,"Good evening, and welcome.",first.tsv\n'
        "2,(APPLAUSE) SANDERS,We need a political revolution.,first.tsv\n"
        '3,"SEN. BERNIE SANDERS (D-VT), CANDIDATE",Thank you.,second.tsv\n',
        encoding="utf-8",
    )
    articles = [i for i in read_file(path) if isinstance(i, Article)]
    assert [(a.source, a.title) for a in articles] == [
        (f"{path}#first.tsv", "first.tsv"),
        (f"{path}#second.tsv", "second.tsv"),
    ]
    assert [t.speaker for t in articles[0].turns] == ["TODD", "SANDERS"]
    assert [t.speaker for t in articles[1].turns] == ["SEN. BERNIE SANDERS"]
    # A text column alone (articles, tweets) is not a transcript.
    tweets = tmp_path / "tweets.csv"
    tweets.write_text("id,text,url\n1,Some tweet.,http://x\n", encoding="utf-8")
    (skipped,) = read_file(tweets)
    assert isinstance(skipped, Skipped) and "not a transcript" in skipped.reason


def test_srt_cues_tags_continuations_and_a_broken_timecode(tmp_path):
    path = tmp_path / "debate.srt"
    path.write_text(DEBATE_SRT, encoding="utf-8")
    items = list(read_file(path))
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [s.source for s in skipped] == [f"{path}#cue4"]
    assert "bad timecode" in skipped[0].reason
    assert _turns(_article(items)) == [
        # An unlabelled cue continues the speaker before it; <i> tags go.
        (
            "HOLT",
            "Good evening from Hofstra University. The first question goes to you.",
            "00:00:01.000",
            "00:00:06.000",
        ),
        (
            "CLINTON",
            "The economy added 15 million private sector jobs.",
            "00:00:06.100",
            "00:00:09.000",
        ),
        ("TRUMP", "Our jobs are fleeing to Mexico.", "00:00:10.100", "00:00:12.000"),
    ]


def test_an_srt_with_no_readable_cue_is_skipped(tmp_path):
    path = tmp_path / "broken.srt"
    path.write_text("1\n00:00:01 --> soon\nHello.\n", encoding="utf-8")
    items = list(read_file(path))
    assert [type(i).__name__ for i in items] == ["Skipped", "Skipped"]
    assert items[-1].source == str(path) and "no readable subtitle cue" in items[-1].reason


def test_webvtt_voices_header_and_note_blocks(tmp_path):
    path = tmp_path / "debate.vtt"
    path.write_text("\ufeff" + DEBATE_VTT, encoding="utf-8")
    article = _article(list(read_file(path)))
    assert article.meta["format"] == "subtitles"
    assert _turns(article) == [
        ("Lester Holt", "Good evening from Hofstra University.", "00:00:01.000", "00:00:03.500"),
        (
            "Hillary Clinton",
            "The economy added 15 million private sector jobs.",
            "00:00:03.600",
            "00:00:06.000",
        ),
        ("Donald Trump", "Our jobs are fleeing to Mexico.", "00:00:06.100", "00:00:09.000"),
        ("Lester Holt", "Thank you, Mr. Trump.", "00:00:06.100", "00:00:09.000"),
    ]
    assert "note" not in article.text.lower() and "color" not in article.text
    (tmp_path / "plain.vtt").write_text("00:01.000 --> 00:02.000\nHi.\n", encoding="utf-8")
    (skipped,) = read_file(tmp_path / "plain.vtt")
    assert isinstance(skipped, Skipped) and "WEBVTT" in skipped.reason


def test_cleaning_keeps_every_line_of_a_transcript_and_its_offsets(tmp_path):
    # Lines an article cleaner would take for page furniture are still what someone said.
    path = tmp_path / "show.txt"
    path.write_text(
        "Evening show\nHOST: Subscribe now.\nGUEST: Read more.\nHOST: Share this.\n"
        "GUEST: The minister resigned on Friday.\n",
        encoding="utf-8",
    )
    article = _article(list(read_file(path)))
    doc = clean_article(article)
    assert isinstance(doc, Document)
    assert doc.removed == []
    said = [doc.text[t.start : t.end] for t in doc.turns]
    assert said == [
        "Subscribe now.",
        "Read more.",
        "Share this.",
        "The minister resigned on Friday.",
    ]
    assert [doc.text[t.label_start : t.label_end] for t in doc.turns] == ["HOST", "GUEST"] * 2


def test_speaker_names():
    assert display_name("O'ROURKE") == "O'Rourke"
    assert display_name("SEN. ELIZABETH WARREN") == "Sen. Elizabeth Warren"
    assert display_name("Lester Holt") == "Lester Holt"
    assert is_generic("MODERATOR") and is_generic("Speaker 2") and is_generic("Q")
    assert not is_generic("HOLT")
    assert split_honorific(display_name("SEN. BERNIE SANDERS")) == ("Bernie Sanders", "Sen.")
    assert split_honorific("Mr. Schwab") == ("Schwab", None)


def test_stage_directions_go_and_short_asides_stay(tmp_path):
    path = tmp_path / "clip.tsv"
    path.write_text(
        "speaker\ttext\n"
        "TAPPER\tTake a listen. (BEGIN VIDEO CLIP.) [MUSIC] (Laughter)\n"
        "FALLIN\tThe U.S. (and Oklahoma (R-OK)) will heal. (APPLAUSE)\n",
        encoding="utf-8",
    )
    said = [text for _, text, _, _ in _turns(_article(list(read_file(path))))]
    assert said == ["Take a listen.", "The U.S. (and Oklahoma (R-OK)) will heal."]


def test_a_turn_carries_its_hedges_also_when_parsed_in_windows(tmp_path, nlp):
    from claimgraph.annotate import annotate_documents

    path = tmp_path / "hearing.txt"
    path.write_text(
        "Hearing\n"
        + "CHAIR: The committee will come to order. We thank the witnesses for coming.\n" * 3
        + "WITNESS: The shipment was allegedly diverted to a third country in March.\n"
        + "CHAIR: Thank you. We will now take questions from the members of the panel.\n",
        encoding="utf-8",
    )
    article = _article(list(read_file(path)))
    for window in (50_000, 160):  # one parse of the whole text, then several windows
        document = clean_article(article)
        assert isinstance(document, Document)
        (done,) = annotate_documents([document], nlp, window_chars=window)
        turns = [a for a in done.attributions if a.kind == "transcript"]
        assert [a.speaker_description or a.speaker for a in turns] == ["Chair"] * 3 + [
            "Witness",
            "Chair",
        ]
        witness = turns[3]
        assert [(g.type, g.text) for g in witness.signals] == [("hedged", "allegedly")]
        assert done.text[witness.signals[0].start : witness.signals[0].end] == "allegedly"
        # Said by the witness, not in the document's own voice.
        assert not [g for g in done.signals if g.type == "hedged" and g.scope == "sentence"]


def test_a_relation_the_rules_find_never_starts_in_a_speaker_label():
    from claimgraph.annotate.transcript import add_transcript_attributions
    from claimgraph.model import Attribution, Turn

    text = "TODD: Many voters, they tell our reporters, worry.\n\nSANDERS: They should not."
    rule = Attribution(kind="indirect", content=text[0:17], start=0, end=17, cue="tell")
    turns = [
        Turn("TODD", 6, 50, label_start=0, label_end=4),
        Turn("SANDERS", 61, len(text), label_start=52, label_end=59),
    ]
    assert text[turns[1].start : turns[1].end] == "They should not."
    document = Document(id="d", source="s", text=text, turns=turns, attributions=[rule])
    add_transcript_attributions(document)
    assert (rule.start, rule.content) == (6, "Many voters")
    assert [(a.kind, a.speaker, a.content) for a in document.attributions[1:]] == [
        ("transcript", "Todd", "Many voters, they tell our reporters, worry."),
        ("transcript", "Sanders", "They should not."),
    ]


def test_analyze_stores_transcript_and_subtitle_speakers(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "debate.txt").write_text(DEBATE_TXT, encoding="utf-8")
    (inputs / "debate.vtt").write_text(DEBATE_VTT, encoding="utf-8")
    (inputs / "broken.srt").write_text(DEBATE_SRT, encoding="utf-8")
    (inputs / "bad.csv").write_text("who,when\nHolt,2016\n", encoding="utf-8")
    # Turns too short to be a claim must not come back as own-voice claims with their label.
    (inputs / "short.txt").write_text(
        "Debate close\nTODD: Thank you, Senator.\nSANDERS: Thank you.\n"
        "TODD: That is all for tonight.\nSANDERS: Good night.\n",
        encoding="utf-8",
    )
    db = tmp_path / "cg.db"
    result = runner.invoke(app, ["analyze", str(inputs), "--db", str(db), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "broken.srt#cue4" in result.output and "bad.csv" in result.output

    with Store(db) as store:
        rows = store.query(
            "SELECT d.source, a.kind, a.speaker, a.speaker_entity_id, a.source_text, a.content "
            "FROM attributions a JOIN documents d ON d.id = a.document_id "
            "WHERE a.kind = 'transcript' ORDER BY d.source, a.start_char"
        )
        by_file: dict[str, list[tuple[str, str]]] = {}
        for r in rows:
            assert r["speaker_entity_id"] is not None
            assert not r["content"].startswith(r["source_text"])  # the label is not the quote
            by_file.setdefault(Path(r["source"]).name, []).append((r["speaker"], r["content"]))
        assert [s for s, _ in by_file["debate.txt"]] == ["Holt", "Clinton", "Donald Trump", "Holt"]
        assert by_file["debate.vtt"][0] == ("Lester Holt", "Good evening from Hofstra University.")
        assert [s for s, _ in by_file["debate.vtt"]][1:3] == ["Hillary Clinton", "Donald Trump"]
        # Claims rest on the speaker and never contain the label.
        claims = store.query(
            "SELECT c.speaker, c.text FROM claims c JOIN attributions a ON a.id = c.attribution_id "
            "WHERE a.kind = 'transcript'"
        )
        assert ("Donald Trump", "They're going to Mexico.") in {
            (c["speaker"], c["text"]) for c in claims
        }
        every_claim = [r["text"] for r in store.query("SELECT text FROM claims")]
        assert every_claim and not [t for t in every_claim if ":" in t[:12]]
        assert "That is all for tonight." in every_claim
        # Timecodes are kept on the attributions and with the document's turns.
        timed = store.query(
            "SELECT a.speaker, a.timecode, a.timecode_end FROM attributions a "
            "JOIN documents d ON d.id = a.document_id "
            "WHERE d.source LIKE '%debate.vtt' AND a.kind = 'transcript' ORDER BY a.start_char"
        )
        assert [tuple(r.values()) for r in timed][:2] == [
            ("Lester Holt", "00:00:01.000", "00:00:03.500"),
            ("Hillary Clinton", "00:00:03.600", "00:00:06.000"),
        ]
        meta = store.query("SELECT meta FROM documents WHERE source LIKE '%debate.vtt'")[0]
        turns = json.loads(meta["meta"])["turns"]
        assert [(t["speaker"], t["timecode"]) for t in turns][:2] == [
            ("Lester Holt", "00:00:01.000"),
            ("Hillary Clinton", "00:00:03.600"),
        ]

    sources = runner.invoke(app, ["sources", "--db", str(db)])
    assert sources.exit_code == 0, sources.output
    for name in ("Holt", "Clinton", "Trump"):
        assert name in sources.output
    with Store(db) as store:
        speakers = {r["name"]: r for r in store.sources()["speakers"]}
    # "Donald Trump" of the WebVTT file is the "Trump" of the transcript and of the SRT file's
    # readable cues: one person, one entity, three documents. Likewise "Lester Holt" and
    # "Hillary Clinton" join the "Holt" and "Clinton" stored first (one document giving the
    # full name is not enough to rename them).
    assert speakers["Trump"]["documents"] == 3 and "Donald Trump" not in speakers
    assert speakers["Holt"]["documents"] == 3 and "Lester Holt" not in speakers
    assert speakers["Clinton"]["documents"] == 3 and "Hillary Clinton" not in speakers
    shown = runner.invoke(app, ["show", "debate.vtt", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    assert "00:00:01.000" in shown.output and "transcript" in shown.output


@pytest.mark.sqlite_only("edits the SQLite file to look like a version 3 database")
def test_a_version_3_database_gets_the_timecode_columns(tmp_path):
    import sqlite3

    from claimgraph.store.schema import SCHEMA_VERSION

    db = tmp_path / "v3.db"
    Store(db).close()
    conn = sqlite3.connect(db)
    for column in ("timecode", "timecode_end"):
        conn.execute(f"ALTER TABLE attributions DROP COLUMN {column}")
    conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with Store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION >= 4
        columns = {r["name"] for r in store.query("PRAGMA table_info(attributions)")}
    assert {"timecode", "timecode_end"} <= columns


def test_a_sidecar_gives_a_subtitle_file_its_date_and_outlet(tmp_path):
    (tmp_path / "debate.vtt").write_text(DEBATE_VTT, encoding="utf-8")
    (tmp_path / "debate.json").write_text(
        json.dumps({"title": "First debate", "date": "2016-09-26", "outlet": "NBC News"}),
        encoding="utf-8",
    )
    (item,) = read_paths([tmp_path])  # the sidecar is not an input of its own
    assert isinstance(item, Article)
    assert (item.title, item.date, item.outlet) == ("First debate", "2016-09-26", "NBC News")
    assert len(item.turns) == 4


def test_a_folder_of_transcripts_reads_in_order(tmp_path):
    (tmp_path / "a.srt").write_text(DEBATE_SRT, encoding="utf-8")
    (tmp_path / "b.tsv").write_text("speaker\ttext\nA\tHello there.\n", encoding="utf-8")
    kinds = [type(i).__name__ for i in read_paths([tmp_path])]
    assert kinds == ["Skipped", "Article", "Article"]
