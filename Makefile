# The two commands: `make run` serves the portal; `make test` passes all tests.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# pytest-xdist workers; the browser tests share one of them (xdist_group "browser", tests/conftest.py)
PYTEST_PARALLEL ?= -n 2 --dist loadgroup
# Tests' files (copies of DuckDB databases) go to memory when /dev/shm has room: a commit to a
# file on disk waits for the disk. A TMPDIR of your own wins.
TEST_TMPDIR ?= $(or $(TMPDIR),$(shell df -Pm /dev/shm 2>/dev/null | awk 'NR == 2 && $$4 >= 2048 { print "/dev/shm" }'))
PYTEST = $(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR)) $(BIN)/python -m pytest $(PYTEST_PARALLEL)

.PHONY: run test test-quick lint bench clean-data messages cluster cluster-stop

$(BIN)/.installed-runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed-runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed-runtime
	PORTAL_DEMO_MODE=$${PORTAL_DEMO_MODE:-true} $(BIN)/streamlit run portal.py \
		--server.headless true --server.port $(PORT) --browser.gatherUsageStats false

# Several portal servers on this machine: PostgreSQL, PORTAL_SERVERS (2) portal servers and HAProxy
# on http://127.0.0.1:$(PORT), all kept in data/cluster/ (README, "Several servers"); cluster-stop ends them.
# FROM=path/to/portal.duckdb moves that portal into the cluster's empty PostgreSQL instead of the demo;
# CLUSTER_DIR and POSTGRES_PORT run a cluster on another folder (its PostgreSQL in CLUSTER_DIR/postgres).
PORTAL_SERVERS ?= 2
CLUSTER_DIR ?= data/cluster
POSTGRES_PORT ?= 54329
CLUSTER_PLACE = --folder "$(CLUSTER_DIR)" --postgres-port $(POSTGRES_PORT)
cluster: $(BIN)/.installed-runtime
	./scripts/ensure-postgres
	./scripts/ensure-haproxy
	$(BIN)/python -m scripts.cluster start --servers $(PORTAL_SERVERS) --port $(PORT) $(CLUSTER_PLACE) \
		$(if $(FROM),--from "$(FROM)")

cluster-stop: $(BIN)/.installed-runtime
	$(BIN)/python -m scripts.cluster stop $(CLUSTER_PLACE)

# The whole suite on the DuckDB file, then again on PostgreSQL: a throwaway server per test
# process on loopback, a database of each test's own (tests/conftest.py), the browser tests'
# portals on one too. The second run leaves out what ran already and does not depend on the
# store: tests that reach no store fixture and the PostgreSQL store's own tests.
test: $(BIN)/.installed-dev
	./scripts/ensure-chromium
	./scripts/ensure-oidc
	./scripts/ensure-postgres
	./scripts/ensure-haproxy
	$(PYTEST)
	$(PYTEST) --store postgres

test-quick: $(BIN)/.installed-dev
	$(PYTEST) -m "not e2e"

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .

# The message catalogues: extract every marked text into the template, then merge it into each
# language's catalogue (new messages arrive untranslated, changed ones fuzzy: tests/test_i18n.py
# fails until a translator has done them). README, "Languages".
MESSAGE_SOURCES := portal.py pages ui models
TRANSLATED_LANGUAGES := uk ru lt
messages: $(BIN)/.installed-runtime
	$(BIN)/pybabel extract --no-default-keywords -k _ -k N_ -k ngettext:1,2 -k pgettext:1c,2 -c TRANSLATORS: \
		--add-location=file --sort-output --no-wrap --project="Service Culture Portal" \
		-o locales/messages.pot $(MESSAGE_SOURCES)
	for language in $(TRANSLATED_LANGUAGES); do \
		$(BIN)/pybabel update -i locales/messages.pot -d locales -l $$language \
			--init-missing --no-wrap --ignore-pot-creation-date || exit 1; \
	done

bench: $(BIN)/.installed-runtime
	$(BIN)/python -m bench

clean-data:
	rm -f data/portal.duckdb data/portal.duckdb.wal data/portal.duckdb.before-restore-* data/portal.duckdb.restoring-*
