"""Exports: the database's content in the formats researchers' other tools read."""

from claimgraph.export.jsonl import export_jsonl

FORMATS = {"jsonl": export_jsonl}

__all__ = ["FORMATS", "export_jsonl"]
