# kbdeck developer commands. `make build` and `make test` create .venv when it is missing,
# so a fresh clone needs nothing but Python 3.11+ to build (`make build` installs kbdeck alone);
# `make test` adds the test and examples extras and needs the Debian packages postgresql,
# redis-server and chromium (.ci/run installs them).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
BASE   := $(VENV)/.kbdeck-base
FULL   := $(VENV)/.kbdeck-full

.PHONY: build test lint format examples clean watch

OLD_PYTHON := import sys; sys.exit(sys.version_info < (3, 11))

$(BASE): pyproject.toml
	@if test -x $(BIN)/python; then \
	  $(BIN)/python -c '$(OLD_PYTHON)' || { echo "kbdeck needs Python 3.11 or newer, and $(VENV) was made with \
	$$($(BIN)/python -V 2>&1): remove it (rm -rf $(VENV)), then run make again with a newer Python \
	(make build PYTHON=python3.12)"; exit 1; }; \
	else \
	  $(PYTHON) -c '$(OLD_PYTHON)' || { echo "kbdeck needs Python 3.11 or newer, and $(PYTHON) is \
	$$($(PYTHON) -V 2>&1): run make with a newer one (make build PYTHON=python3.12)"; exit 1; }; \
	fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(FULL): $(BASE) pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test,examples]'
	touch $@

build: $(BASE)  ## check content/, write build/<deck>.apkg and build/kbdeck.ankiaddon
	$(BIN)/kbdeck build
	$(BIN)/python scripts/package_addon.py

watch: $(BASE)  ## rebuild build/<deck>.apkg whenever a file under content/ changes (Ctrl-C to stop)
	$(BIN)/kbdeck watch

test: $(FULL)  ## run the whole test-suite (starts its own PostgreSQL and Redis)
	$(BIN)/python -m pytest

lint: $(FULL)  ## ruff (lint + format check) and mypy --strict
	$(BIN)/ruff check src tests scripts addon bench
	$(BIN)/ruff format --check src tests scripts addon bench
	$(BIN)/mypy

format: $(FULL)
	$(BIN)/ruff format src tests scripts addon bench
	$(BIN)/ruff check --fix src tests scripts addon bench

examples: $(FULL)  ## run every example against throwaway PostgreSQL and Redis
	$(BIN)/python scripts/run_examples.py

clean:
	rm -rf build

.PHONY: compat
compat: $(BASE)  ## import the deck into every supported Anki version (one cached venv each, build/compat/)
	$(BIN)/python scripts/compat.py

.PHONY: screenshots
screenshots: $(FULL)  ## regenerate docs/gallery/*.png: real cards on a phone and on desktop, light and dark (needs chromium)
	$(BIN)/python scripts/gallery.py

.PHONY: addon link
addon:  ## package the Anki add-on: addon/ → build/kbdeck.ankiaddon (install it with Tools → Add-ons → Install from file)
	$(PYTHON) scripts/package_addon.py

link:  ## symlink addon/ into a local Anki profile for development (ANKI_BASE=<Anki data folder> to choose one)
	$(PYTHON) scripts/link_addon.py $(ANKI_BASE)

.PHONY: bench
bench: $(FULL)  ## time kbdeck against ankdown and the packaging floor at 3,000 and 30,000 cards (bench/README.md; ~15 min)
	$(BIN)/python bench/run.py --n 3000 --n 30000
