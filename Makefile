# Two commands on a fresh machine: `make demo` and `make test`. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed-stamp

.PHONY: install browser demo test test-slow lint format bench lock docs notebooks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The lock pins every package (with hashes) so a research partner gets the same environment.
# Bytecode is compiled once here: with PYTHONDONTWRITEBYTECODE set (as on CI machines),
# great-expectations would otherwise be compiled again at every start (seconds each time).
$(STAMP): $(BIN)/uv requirements.lock pyproject.toml overrides.txt
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

install: $(STAMP)

# A real headless browser prints the board report to PDF and checks it renders offline:
# Debian's chromium, and poppler's pdftoppm to look at the PDF's pages. Installed from the
# distribution's packages when missing (as root, or through sudo); nothing is downloaded
# by a browser tool.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null && command -v pdftoppm >/dev/null || \
		($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium poppler-utils)

demo: install browser
	$(BIN)/outcomes demo

test: install browser lint
	$(BIN)/outcomes docs --check
	$(BIN)/python -m pytest -q

# Large inputs and crash checks; CI runs them after `make test`.
test-slow: install browser
	$(BIN)/python -m pytest -q -m slow

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# `make bench AGAINST=<commit>` also times that commit's ingest in the same run.
bench: install
	$(BIN)/python benchmarks/run.py $(if $(AGAINST),--against $(AGAINST))
	$(BIN)/python benchmarks/estimator_coverage.py
	$(BIN)/python benchmarks/reliability_coverage.py
	$(BIN)/python benchmarks/roi_speed.py
	$(BIN)/python benchmarks/demo_stages.py
	$(BIN)/python benchmarks/claim_verdicts.py

docs: install
	$(BIN)/outcomes docs

# Each notebook run top to bottom against the warehouse (`make demo` builds one) by a
# kernel of the venv's own Python, written as HTML with its outputs to notebooks/out/.
notebooks: install
	$(BIN)/python notebooks/render.py

# overrides.txt lifts a dependency's bound that is known to be too strict (see the file).
lock: $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--override overrides.txt --generate-hashes --quiet -o requirements.lock

clean:
	rm -rf $(VENV) data/warehouse reports/out benchmarks/out .pytest_cache .ruff_cache
