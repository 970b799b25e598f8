# The two entry points a new user needs; README.md opens with them and .ci/run calls `make test`.
.PHONY: install demo test lint bench eval

install:
	bash scripts/install.sh

demo: install
	.venv/bin/claimgraph analyze examples/ --db claimgraph.db
	.venv/bin/claimgraph show --db claimgraph.db

test: install
	.venv/bin/ruff check claimgraph tests eval bench scripts
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv/bin/python -m pytest -q

lint:
	.venv/bin/ruff check claimgraph tests eval bench scripts
	.venv/bin/ruff format --check claimgraph tests eval bench scripts
