"""datasette metadata for this database, whatever its file's name.

datasette applies a metadata file's `databases` entries by database name, which is the file's
stem: the shipped claimgraph/data/datasette-metadata.json describes a database named
`claimgraph`. This writes the same metadata keyed to the database being exported (`news.db`
-> `news`), so `datasette news.db --metadata OUT/datasette-metadata.json` shows every table's
description, facets, labels and full-text search.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

from claimgraph.store import Store

OUTPUT = "datasette-metadata.json"
SHIPPED_KEY = "claimgraph"


def database_name(url: str) -> str:
    """The name datasette gives a database: its SQLite file's stem (for a server database,
    its database name)."""
    path = unquote(urlsplit(url).path)
    if url.startswith("sqlite"):
        path = path.lstrip("/") if path.startswith("//") else path
    return Path(path).stem or SHIPPED_KEY


def metadata_for(name: str) -> dict:
    """The shipped metadata with its one database entry renamed to `name`."""
    shipped = json.loads(
        resources.files("claimgraph.data").joinpath("datasette-metadata.json").read_text("utf-8")
    )
    databases = shipped.get("databases", {})
    shipped["databases"] = {name: databases.get(SHIPPED_KEY, {})}
    return shipped


def export_datasette(store: Store, out_dir: str | Path) -> dict[str, int]:
    """Write datasette-metadata.json for this store's database; returns {file: tables}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta = metadata_for(database_name(store.url))
    (out / OUTPUT).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (entry,) = meta["databases"].values()
    return {OUTPUT: len(entry.get("tables", {}))}
