"""`python -m claimgraph ...`: the same CLI as the `claimgraph` command."""

from claimgraph.cli import app

app(prog_name="claimgraph")
