# The two entry points a new user needs; README.md opens with them and .ci/run calls `make test`.
.PHONY: install demo test test-pg lint bench eval

install:
	bash scripts/install.sh

demo: install
	.venv/bin/claimgraph analyze examples/ --db claimgraph.db
	.venv/bin/claimgraph show --db claimgraph.db
	.venv/bin/claimgraph report -o report.html --db claimgraph.db

test: install
	.venv/bin/ruff check claimgraph tests eval bench scripts
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv/bin/python -m pytest -q
	$(PG_PASS)

# The same suite on PostgreSQL: scripts/pg.sh starts a throwaway server on loopback (temporary
# data directory), sets CLAIMGRAPH_TEST_DB, and stops it afterwards, also when tests fail.
# Test files that never open a database (pure NLP, readers, eval gates) would run the very same
# code twice, so this pass leaves them out; override with PG_PYTEST_ARGS= to run everything.
STORE_FREE_TESTS = test_attribution test_checkworthiness test_clean test_dates_gold test_docs \
	test_eval_attribution test_eval_checkworthiness test_eval_gates test_eval_retrieval \
	test_ingest test_narratives test_retrieval test_timeline test_back_references test_eval_narratives
PG_PYTEST_ARGS ?= $(foreach t,$(STORE_FREE_TESTS),--ignore=tests/$(t).py)
PG_PASS = HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 bash scripts/pg.sh run .venv/bin/python -m pytest -q $(PG_PYTEST_ARGS)

test-pg: install
	$(PG_PASS)

lint:
	.venv/bin/ruff check claimgraph tests eval bench scripts
	.venv/bin/ruff format --check claimgraph tests eval bench scripts
