"""Exports: the database's content in the formats researchers' other tools read."""

from pathlib import Path

from claimgraph.export.claimreview import export_claimreview, normalise_rating
from claimgraph.export.csv import export_csv
from claimgraph.export.datasette import export_datasette
from claimgraph.export.graph import export_gexf, export_graph, export_graphml
from claimgraph.export.jsonl import export_jsonl
from claimgraph.store import Store


def export_all(store: Store, out_dir: str | Path, raw_csv: bool = False) -> dict[str, int]:
    """Every format into one folder (the provenance graph is built once for both formats);
    `raw_csv`: CSV cells as stored, formulas not neutralised."""
    written = export_jsonl(store, out_dir)
    written.update(export_csv(store, out_dir, raw_csv=raw_csv))
    written.update(export_graph(store, out_dir))
    written.update(export_claimreview(store, out_dir))
    written.update(export_datasette(store, out_dir))
    return written


FORMATS = {
    "jsonl": export_jsonl,
    "csv": export_csv,
    "graphml": export_graphml,
    "gexf": export_gexf,
    "claimreview": export_claimreview,
    "datasette": export_datasette,
    "all": export_all,
}

__all__ = [
    "FORMATS",
    "export_all",
    "export_claimreview",
    "export_csv",
    "export_datasette",
    "export_gexf",
    "export_graphml",
    "export_jsonl",
    "normalise_rating",
]
