"""Fact-checks: import other people's verdicts, and link the corpus' claims to them.

    from claimgraph.factchecks import read_factchecks, import_records, match_claims
    summary = import_records(store, read_factchecks(["reviews/"]))
    links = match_claims(store, MatchSettings(window_days=365))

Readers per format (jsonld, google, tables, euvsdisinfo) -> `FactCheck` records; `store`
writes them idempotently; `match` links claims with the hybrid retrieval index. Verdicts are
normalised by `claimgraph.export.claimreview.normalise_rating` (claimgraph/data/ratings.yaml).
"""

from claimgraph.factchecks.match import (
    DEFAULT_THRESHOLD,
    DEFAULT_TOP_K,
    MatchSettings,
    match_claims,
)
from claimgraph.factchecks.model import BadRecord, FactCheck, factcheck_id
from claimgraph.factchecks.readers import read_factchecks
from claimgraph.factchecks.store import ImportSummary, import_records, load_links

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEFAULT_TOP_K",
    "BadRecord",
    "FactCheck",
    "ImportSummary",
    "MatchSettings",
    "factcheck_id",
    "import_records",
    "load_links",
    "match_claims",
    "read_factchecks",
]
