# The two commands: `make demo` (main job) and `make test` (tests).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DB ?= demo/caseload-demo.sqlite

LOCALE := src/caseload/locale
POT    := $(LOCALE)/caseload.pot
MOS    := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/caseload.po))

.PHONY: chromium java demo test lint typecheck bench lock clean messages compile-messages

# the exact tested set from requirements.lock, then caseload itself without resolving again
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	$(BIN)/pybabel compile --statistics -d $(LOCALE) -D caseload
	@touch $(STAMP)

# the scale extra (DuckDB, Spark) for the tests, pinned; pyspark builds its wheel once from
# the sdist (pip's cache keeps it); `make demo` does without
SCALE := $(VENV)/.scale
$(SCALE): $(STAMP) requirements-scale.lock
	$(BIN)/python -m pip install --quiet -r requirements-scale.lock
	$(BIN)/python -m pip check
	@touch $(SCALE)

# Spark needs a Java runtime: installed here when it is missing and we may (root with
# apt-get); otherwise the Spark tests say what is missing (and fail in CI)
java:
	@command -v java >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; } || \
		echo "note: java is missing (apt-get install openjdk-17-jre-headless); Spark tests will say so"

# the translations (.mo) are built, not committed: after installing, and again whenever a
# .po is newer than its .mo
compile-messages: $(MOS)

$(LOCALE)/%/LC_MESSAGES/caseload.mo: $(LOCALE)/%/LC_MESSAGES/caseload.po $(STAMP)
	$(BIN)/pybabel compile --statistics -d $(LOCALE) -D caseload -l $*

# for translators: pull every message out of the source into caseload.pot and merge it
# into each caseload.po (new ones come empty, changed ones fuzzy); then edit da.po
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k Message -k help_text --sort-by-file \
		--project caseload --copyright-holder "caseload contributors" \
		--msgid-bugs-address "" -o $(POT) src/caseload
	$(BIN)/pybabel update --ignore-obsolete -i $(POT) -d $(LOCALE) -D caseload --width 100
	$(BIN)/pybabel compile --statistics -d $(LOCALE) -D caseload

DEMO_PORT ?= 8000

demo: $(STAMP) $(MOS)
	@mkdir -p $(dir $(DEMO_DB))
	$(BIN)/caseload demo --db $(DEMO_DB) --fresh
	$(BIN)/caseload evaluate --db $(DEMO_DB) --trial CPH-2018 --out $(dir $(DEMO_DB))evaluation
	$(BIN)/caseload overdue --db $(DEMO_DB) --as-of 2019-03-01 --caseworker JI6-KS-0001
	$(BIN)/caseload timeliness --db $(DEMO_DB) --from 2018-01-01 --to 2019-12-31 \
		--by arm --trial CPH-2018 --plot $(dir $(DEMO_DB))timeliness.svg
	$(BIN)/caseload sparring --db $(DEMO_DB) --caseworker JI6-KS-0001 --as-of 2019-03-01 \
		--out $(dir $(DEMO_DB))sparring.html
	$(BIN)/caseload rebalance --db $(DEMO_DB) --department JI1 --cap 50 --as-of 2019-06-01 \
		--dry-run --plot $(dir $(DEMO_DB))rebalance-JI1.svg
	$(BIN)/caseload review report --db $(DEMO_DB) --code R1 --out $(dir $(DEMO_DB))review --force
	$(BIN)/caseload demo --db $(DEMO_DB) --serve --port $(DEMO_PORT)

# the browser tests drive Debian's Chromium, never a downloaded browser: installed here when
# it is missing and we may (root with apt-get); otherwise the tests say what is missing
CHROMIUM := /usr/bin/chromium

chromium:
	@test -x $(CHROMIUM) || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "note: $(CHROMIUM) is missing (apt-get install chromium); browser tests will say so"

# the suite in TEST_WORKERS processes (pytest-xdist), a test module kept in one process so
# that its module fixtures are built once; TEST_WORKERS=0 runs it in this process alone
TEST_WORKERS ?= 2

test: $(STAMP) $(SCALE) $(MOS) chromium java
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=15

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/build_jobcentre.py

# after changing a range in pyproject.toml: re-resolve, keeping every pin that still fits
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --allow-unsafe --no-emit-index-url \
		--no-emit-find-links -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) demo build *.egg-info
