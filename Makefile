# xltools — two commands from a clean clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint bench bench-large bench-history bench-programme soffice postgres clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# LibreOffice (headless) renders the workbooks (Calc) and the tracker paper (Writer)
# in tests and the demo; Chromium (headless, driven by Playwright) runs the add-in's
# task pane in tests/test_taskpane_browser.py.
soffice:
	@if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
	    || ! ls /usr/lib/libreoffice/program/libswlo.so >/dev/null 2>&1 \
	    || ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing LibreOffice Calc and Writer (headless), poppler-utils and Chromium (apt)…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils chromium >/dev/null; \
	  else \
	    echo "LibreOffice or Chromium missing: sudo apt-get install libreoffice-calc-nogui" \
	      "libreoffice-writer-nogui poppler-utils chromium"; \
	  fi; \
	fi

# PostgreSQL (Debian's packages) for the history tests: tests/pg_cluster.py starts a
# throwaway cluster (initdb in a temporary folder, a loopback port) and stops it at the
# end; as root it runs the cluster as a system user it creates (xltools-pg).
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing PostgreSQL (apt)…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      postgresql >/dev/null; \
	  else \
	    echo "PostgreSQL missing: sudo apt-get install postgresql"; \
	  fi; \
	fi

demo: $(STAMP) soffice
	$(BIN)/python demo/run_demo.py

test: $(STAMP) soffice postgres
	XLTOOLS_REQUIRE_SOFFICE=1 XLTOOLS_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check xltools tests bench demo

# light and heavy-text workloads at 300 returns × 40 actions (a few minutes);
# bench-large adds the heavy workload at 3,000 returns (several more). Both write
# bench/RESULTS.md from bench/out/results.json. NOTE: a note for RESULTS.md, e.g.
# make bench NOTE="quiet machine".
bench: $(STAMP) soffice
	$(BIN)/python bench/bench.py --runs light:300 heavy:300 --repeat 3 --results-md bench/RESULTS.md \
		--note "$(NOTE)"
	$(BIN)/python bench/programme_bench.py --results-md bench/RESULTS.md --note "$(NOTE)"

bench-large: $(STAMP)
	$(BIN)/python bench/bench.py --runs light:300 heavy:300 heavy:3000 --repeat 3 \
		--results-md bench/RESULTS.md --note "$(NOTE)"

# the history store (issue 26): recording a 12,000-action master, the Dashboard's trend
# over 20 quarters, rollup with and without the trend block, on SQLite and PostgreSQL
bench-history: $(STAMP) postgres
	$(BIN)/python bench/history_bench.py

# programme plan import (issue 27): seed 003 from text (≤ 2 s) and from PDF (≤ 10 s; the
# PDF built from it with LibreOffice) beside plain baselines; its own section of RESULTS.md
bench-programme: $(STAMP) soffice
	$(BIN)/python bench/programme_bench.py --results-md bench/RESULTS.md --note "$(NOTE)"

clean:
	rm -rf $(VENV) demo/out bench/out build *.egg-info
