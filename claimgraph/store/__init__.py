"""Storage: the schema, its migrations, and the queries every other stage uses."""

from claimgraph.store.database import DEFAULT_DB, SchemaTooNew, SearchSyntaxError, Store

__all__ = ["DEFAULT_DB", "SchemaTooNew", "SearchSyntaxError", "Store"]
