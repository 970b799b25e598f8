"""The database schema: one definition for SQLite and PostgreSQL, versioned with migrations.

The database is a product in its own right (datasette, pandas, DuckDB open it), so names are
plain, offsets are `start_char`/`end_char` into `documents.text`, and views answer the common
questions. docs/schema.md documents every table; tests fail when it drifts.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
)

SCHEMA_VERSION = 10

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("command", Text),
    Column("model", Text),
    Column("status", String(16), nullable=False),  # running | done | failed
    Column("documents_added", Integer, default=0),
    Column("documents_existing", Integer, default=0),
    Column("inputs_skipped", Integer, default=0),
)

inputs = Table(
    "inputs",
    metadata,
    Column("source", Text, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("status", String(16), nullable=False),  # ok | skipped
    Column("reason", Text),
    Column("document_id", String(40)),
    Column("seen_at", String(32), nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("title", Text),
    Column("date", String(10)),
    Column("date_source", String(16)),
    Column("date_earliest", String(10)),
    Column("date_latest", String(10)),
    Column("date_estimated", Boolean, nullable=False, default=False),
    Column("url", Text),
    Column("outlet", Text),
    Column("outlet_source", String(16)),
    Column("authors", Text),  # JSON list
    Column("byline", Text),
    Column("language", String(8)),
    Column("source", Text, nullable=False),  # where it was first read
    Column("word_count", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("meta", Text),  # JSON object
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("added_at", String(32), nullable=False),
)

document_sources = Table(
    "document_sources",
    metadata,
    Column(
        "document_id", String(40), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    ),
    Column("source", Text, nullable=False),
    PrimaryKeyConstraint("document_id", "source"),
)

furniture = Table(
    "furniture",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "document_id", String(40), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    ),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("reason", Text, nullable=False),
)

sentences = Table(
    "sentences",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "document_id", String(40), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    ),
    Column("position", Integer, nullable=False),
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("language", String(8)),  # v2: ISO 639-1 from the language detector, NULL = not checked
)

entities = Table(
    "entities",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", String(16), nullable=False),
)

entity_aliases = Table(
    "entity_aliases",
    metadata,
    Column("entity_id", String(200), ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("alias", Text, nullable=False),
    Column("alias_key", Text, nullable=False),
    PrimaryKeyConstraint("entity_id", "alias"),
)

mentions = Table(
    "mentions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "document_id", String(40), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    ),
    Column("entity_id", String(200), ForeignKey("entities.id"), nullable=False),
    Column("sentence_id", Integer, ForeignKey("sentences.id")),
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("label", String(16), nullable=False),
)

attributions = Table(
    "attributions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column(
        "document_id", String(40), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    ),
    Column("sentence_id", Integer, ForeignKey("sentences.id")),
    Column("kind", String(16), nullable=False),
    Column("speaker", Text),
    Column("speaker_entity_id", String(200), ForeignKey("entities.id")),
    Column("anonymous", Boolean, nullable=False, default=False),
    Column("speaker_description", Text),
    Column("role", Text),
    Column("cue", Text),
    Column("cue_start", Integer),
    Column("cue_end", Integer),
    Column("source_text", Text),
    Column("source_start", Integer),
    Column("source_end", Integer),
    Column("content", Text, nullable=False),
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Column("date", String(10)),
    # v4: where a transcript turn starts and ends in the recording ("00:01:02.500")
    Column("timecode", String(32)),
    Column("timecode_end", String(32)),
    Column("extractor", String(64)),  # rules | model:<folder> | transcript
    # v9: statement | position | act (model.Attribution.reports); null: written before v9
    Column("reports", String(16)),
)

attribution_via = Table(
    "attribution_via",
    metadata,
    Column(
        "attribution_id",
        String(40),
        ForeignKey("attributions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("position", Integer, nullable=False),  # 0 = nearest to the speaker
    Column("outlet", Text, nullable=False),
    Column("entity_id", String(200), ForeignKey("entities.id")),
    PrimaryKeyConstraint("attribution_id", "position"),
)

claims = Table(
    "claims",
    metadata,
    Column("id", String(40), primary_key=True),
    Column(
        "document_id", String(40), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    ),
    Column("attribution_id", String(40), ForeignKey("attributions.id", ondelete="CASCADE")),
    Column("sentence_id", Integer, ForeignKey("sentences.id")),
    Column("text", Text, nullable=False),
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Column("checkworthiness", Float, nullable=False),
    Column("scored_by", Text, nullable=False),
    Column("date", String(10)),
    Column("date_precision", String(8)),
    Column("speaker", Text),
    Column("speaker_entity_id", String(200), ForeignKey("entities.id")),
    Column("outlet", Text),
    Column("anonymous", Boolean, nullable=False, default=False),
    Column("hedged", Boolean, nullable=False, default=False),
    Column("evidence_not_shown", Boolean, nullable=False, default=False),
    Column("signal_types", Text),  # JSON list
    Column("narrative_id", String(40)),
)

narratives = Table(
    "narratives",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("label", Text, nullable=False),
    Column("label_claim_id", String(40), nullable=False),
    Column("claims", Integer, nullable=False),
    Column("documents", Integer, nullable=False),
    Column("outlets", Text),  # JSON list
    Column("speakers", Text),  # JSON list
    Column("first_seen", String(10)),
    Column("last_seen", String(10)),
    Column("anonymous_share", Float, nullable=False),
    Column("hedged_share", Float, nullable=False),
    Column("evidence_not_shown_share", Float, nullable=False),
    Column("cohesion", Float),
    Column("updated_at", String(32), nullable=False),
    # v6: what a reader ranks and flags by (documents >= 2: a narrative; 1: a candidate)
    Column("outlet_count", Integer),
    Column("undated", Integer),  # retellings with no date (claims.date NULL): sorted last
    Column("anchors", Text),  # JSON list: entity ids most of its retellings name
)

# v6: each candidate's vector sum and count (its centroid is sum / count), apart from the
# readable columns so exports leave the blob out.
narrative_vectors = Table(
    "narrative_vectors",
    metadata,
    Column("narrative_id", String(40), primary_key=True),
    Column("claims", Integer, nullable=False),
    Column("vector_sum", LargeBinary, nullable=False),  # float32 little-endian
)

# v6: a candidate joined into an older one by a later claim; its id points to the survivor.
narrative_merges = Table(
    "narrative_merges",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("merged_into", String(40), nullable=False),
    Column("merged_at", String(32), nullable=False),
)

link_state = Table(
    "link_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", String(32), nullable=False),
)

dates = Table(
    "dates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "document_id", String(40), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    ),
    Column("sentence_id", Integer, ForeignKey("sentences.id")),
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("earliest", String(10)),
    Column("latest", String(10)),
    Column("precision", String(8), nullable=False),
    Column("relative", Boolean, nullable=False),
    Column("estimated", Boolean, nullable=False),
)

signals = Table(
    "signals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "document_id", String(40), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    ),
    Column("attribution_id", String(40), ForeignKey("attributions.id", ondelete="CASCADE")),
    Column("sentence_id", Integer, ForeignKey("sentences.id")),
    Column("scope", String(16), nullable=False),  # document | sentence | attribution
    Column("type", String(48), nullable=False),
    Column("text", Text, nullable=False),
    Column("start_char", Integer),
    Column("end_char", Integer),
    Column("detail", Text),
)


# -- v2: fact-checks (imported reviews), their links to claims, and the user's own reviews ----

factchecks = Table(
    "factchecks",
    metadata,
    Column("id", String(40), primary_key=True),  # content id of (url, claim_text)
    Column("claim_text", Text, nullable=False),
    Column("claimant", Text),
    Column("rating", String(16), nullable=False),  # normalised: see RATINGS in factchecks/
    Column("rating_original", Text),
    Column("reviewer", Text),
    Column("review_date", String(10)),
    Column("claim_date", String(10)),
    Column("url", Text),
    Column("title", Text),
    Column("summary", Text),
    Column("language", String(8)),
    Column(
        "format", String(24), nullable=False
    ),  # claimreview-jsonld | claimreview-csv | google-api | euvsdisinfo
    Column("source", Text, nullable=False),  # file#row it was read from
    Column("extra", Text),  # JSON object: fields kept from the source that have no column
    Column("imported_at", String(32), nullable=False),
)

factcheck_links = Table(
    "factcheck_links",
    metadata,
    Column("claim_id", String(40), ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
    Column(
        "factcheck_id", String(40), ForeignKey("factchecks.id", ondelete="CASCADE"), nullable=False
    ),
    Column("score", Float, nullable=False),
    Column("rank", Integer, nullable=False),  # 1 = the best fact-check for this claim
    Column("claim_sentence_id", Integer, ForeignKey("sentences.id")),
    Column("claim_text", Text, nullable=False),  # the claim side, as matched
    Column("factcheck_text", Text, nullable=False),  # the fact-check side, as matched
    Column("method", Text, nullable=False),  # retrieval settings and model, for the record
    Column("linked_at", String(32), nullable=False),
    # v3: confident (calibrated cut-offs passed) | possible (a top-k candidate, shown as such)
    Column("tier", String(16), nullable=False, server_default="confident"),
    PrimaryKeyConstraint("claim_id", "factcheck_id"),
)

claim_vectors = Table(
    "claim_vectors",
    metadata,
    Column("claim_id", String(40), ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    Column("model", Text, nullable=False),  # the sentence-transformers model that made it
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),  # float32 little-endian, unit length
    # v6: the claim's key in the narrative neighbour index, and its anchoring entities (JSON)
    Column("ann_key", Integer),
    Column("anchors", Text),
    # v8: who does what to whom (JSON: actors, targets, predicates; claimgraph.link.frames)
    Column("roles", Text),
)

claim_reviews = Table(
    "claim_reviews",
    metadata,
    Column("claim_id", String(40), ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    Column("rating", String(16), nullable=False),  # normalised scale, as factchecks.rating
    Column("rating_original", Text),  # the reviewer's own words ("Mostly false")
    Column("reviewer", Text, nullable=False),
    Column("review_url", Text),
    Column("note", Text),
    Column("reviewed_at", String(32), nullable=False),
)

Index("ix_documents_date", documents.c.date)
Index("ix_documents_outlet", documents.c.outlet)
Index("ix_sentences_document", sentences.c.document_id, sentences.c.position, unique=True)
Index("ix_entity_aliases_key", entity_aliases.c.alias_key)
Index("ix_mentions_entity", mentions.c.entity_id)
Index("ix_mentions_document", mentions.c.document_id)
Index("ix_attributions_document", attributions.c.document_id)
Index("ix_attributions_speaker", attributions.c.speaker_entity_id)
Index("ix_attribution_via_outlet", attribution_via.c.outlet)
Index("ix_signals_document", signals.c.document_id)
Index("ix_signals_type", signals.c.type)
Index("ix_furniture_document", furniture.c.document_id)
Index("ix_dates_document", dates.c.document_id)
Index("ix_claims_document", claims.c.document_id)
Index("ix_claims_narrative", claims.c.narrative_id)
Index("ix_claims_date", claims.c.date)
Index("ix_claims_speaker", claims.c.speaker_entity_id)
# The one definition of a speaker (issue 14): whoever an attribution rests on, keyed by the
# entity id for a named speaker with an entity, `name: <name>` for a named speaker without one,
# `anonymous: <description>` for an unnamed source. The read model, the `speakers` view and the
# `speaker_stats` triggers all spell it from here.
ANONYMOUS_PREFIX = "anonymous: "
NAME_PREFIX = "name: "


def speaker_key_sql(a: str = "a") -> str:
    """The speaker key of attribution row `a` (NULL when the attribution has no speaker)."""
    return (
        f"COALESCE({a}.speaker_entity_id, CASE WHEN {a}.anonymous THEN "
        f"'{ANONYMOUS_PREFIX}' || COALESCE({a}.speaker_description, 'unnamed source') "
        f"ELSE '{NAME_PREFIX}' || {a}.speaker END)"
    )


def is_speaker_sql(a: str = "a") -> str:
    return f"({a}.speaker_entity_id IS NOT NULL OR {a}.speaker IS NOT NULL OR {a}.anonymous)"


# Per speaker key, counts kept by a trigger on every attribution written (v7), so listing
# speakers is an index walk, not an aggregation of every attribution per request.
speaker_stats = Table(
    "speaker_stats",
    metadata,
    Column("id", Text, primary_key=True),  # the speaker key
    Column("entity_id", String(200)),
    Column("anonymous", Boolean, nullable=False, default=False),
    Column("attributions", Integer, nullable=False, default=0),
    Column("documents", Integer, nullable=False, default=0),
    Column("direct_quotes", Integer, nullable=False, default=0),
    # v9: of them, statements (a quotation or a clause after a cue of saying)
    Column("statements", Integer, nullable=False, default=0, server_default="0"),
)
Index("ix_speaker_stats_rank", speaker_stats.c.attributions, speaker_stats.c.id)
# A speaker reached by the name a reader types (/speakers/Donald Trump): case-insensitive
# lookups of entity names and aliases without scanning either table (v7).
Index("ix_entities_name_lower", func.lower(entities.c.name))
Index("ix_entity_aliases_alias_lower", func.lower(entity_aliases.c.alias))

# Keyset pagination of claims (serve): the sort key then the id, per common filter.
Index("ix_claims_checkworthiness_id", claims.c.checkworthiness, claims.c.id)
Index("ix_claims_speaker_cw_id", claims.c.speaker_entity_id, claims.c.checkworthiness, claims.c.id)
Index("ix_claims_narrative_cw_id", claims.c.narrative_id, claims.c.checkworthiness, claims.c.id)
Index("ix_claims_date_id", claims.c.date, claims.c.id)
Index("ix_dates_earliest", dates.c.earliest)
Index("ix_factchecks_rating", factchecks.c.rating)
Index("ix_factchecks_review_date", factchecks.c.review_date)
Index("ix_factcheck_links_factcheck", factcheck_links.c.factcheck_id)
Index("ix_claim_vectors_ann_key", claim_vectors.c.ann_key)
Index("ix_narratives_documents", narratives.c.documents)

# Views answer the questions researchers ask first; plain SQL that SQLite and PostgreSQL share,
# except for string aggregation, filled in per dialect.
VIEWS: dict[str, str] = {
    "document_overview": """
        SELECT d.id, d.title, d.date, d.outlet, d.source, d.word_count,
          (SELECT COUNT(*) FROM sentences s WHERE s.document_id = d.id) AS sentences,
          (SELECT COUNT(DISTINCT m.entity_id) FROM mentions m WHERE m.document_id = d.id) AS entities,
          (SELECT COUNT(*) FROM attributions a WHERE a.document_id = d.id) AS attributions,
          (SELECT COUNT(*) FROM attributions a WHERE a.document_id = d.id AND a.anonymous) AS anonymous_attributions,
          (SELECT COUNT(*) FROM signals g WHERE g.document_id = d.id) AS signals
        FROM documents d""",
    "attribution_details": """
        SELECT a.id, a.document_id, d.title AS document_title, d.outlet AS document_outlet,
          d.date AS document_date, a.kind, a.speaker, a.speaker_entity_id, a.anonymous,
          a.speaker_description, a.role, a.cue, a.content, a.reports,
          (SELECT {agg}(v.outlet, ' > ') FROM attribution_via v WHERE v.attribution_id = a.id) AS via,
          (SELECT {agg}(g.type, ', ') FROM signals g WHERE g.attribution_id = a.id) AS signal_types,
          s.text AS sentence, a.start_char, a.end_char
        FROM attributions a
        JOIN documents d ON d.id = a.document_id
        LEFT JOIN sentences s ON s.id = a.sentence_id""",
    "speakers": f"""
        SELECT k.id, k.entity_id,
          CASE WHEN k.entity_id IS NOT NULL THEN e.name
            WHEN k.anonymous THEN SUBSTR(k.id, {len(ANONYMOUS_PREFIX) + 1})
            ELSE SUBSTR(k.id, {len(NAME_PREFIX) + 1}) END AS name,
          e.type, k.anonymous, k.attributions, k.documents, k.direct_quotes, k.statements
        FROM speaker_stats k LEFT JOIN entities e ON e.id = k.entity_id""",
    "entity_overview": """
        SELECT e.id, e.name, e.type,
          COUNT(m.id) AS mentions,
          COUNT(DISTINCT m.document_id) AS documents,
          (SELECT {agg}(x.alias, ' | ') FROM entity_aliases x WHERE x.entity_id = e.id) AS aliases
        FROM entities e LEFT JOIN mentions m ON m.entity_id = e.id
        GROUP BY e.id, e.name, e.type""",
    "signal_details": """
        SELECT g.id, g.document_id, d.title AS document_title, g.scope, g.type, g.text,
          g.detail, g.attribution_id, s.text AS sentence, g.start_char, g.end_char
        FROM signals g
        JOIN documents d ON d.id = g.document_id
        LEFT JOIN sentences s ON s.id = g.sentence_id""",
}
