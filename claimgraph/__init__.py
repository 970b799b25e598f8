"""claimgraph: what is claimed, who says it, on whose word, with what evidence."""

__version__ = "0.1.0"
