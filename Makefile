# Two commands on a fresh machine: `make report` and `make test` (see README.md). `make help` lists
# the targets (each documented by its `## comment`).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.installed-test-stamp
BOOK_STAMP := $(VENV)/.installed-book-stamp
KERNEL := crm-research

.PHONY: help report book student test lint format strip lab bench bench-1m bench-report clean-reports check-reports chromium kernel

.DEFAULT_GOAL := help

help:  ## show this list of targets
	@echo "crm-research: make TARGET (DATA=simulated|cdnow|path/to/your.yaml for report and book)"
	@grep -E '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-installs when pyproject.toml changes; registers a Jupyter kernel for the venv.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "crm-research (.venv)"
	touch $(STAMP)

# The tests also need the spark extra (pyspark, ~320 MB; Java 17) for the backend-equality tests,
# and the book extra (Sphinx, MyST-NB) for the test that builds the book.
$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,spark,book]"
	touch $(TEST_STAMP)

$(BOOK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,book]"
	touch $(BOOK_STAMP)

DATA ?= simulated

report: $(STAMP)  ## run every notebook into reports/ on DATA (simulated, cdnow or your YAML)
	TQDM_DISABLE=1 MPLBACKEND=Agg $(BIN)/crm-research report --data "$(DATA)"

book: $(BOOK_STAMP)  ## the course as a static site in reports/book/ (runs the report first if none ran)
	@$(BIN)/python -c "import sys; from crm_research.teaching import executed_notebooks; sys.exit(0 if executed_notebooks() else 1)" \
	  || { echo "no executed notebooks in the reports folder: running the report first (DATA=$(DATA))"; \
	       TQDM_DISABLE=1 MPLBACKEND=Agg $(BIN)/crm-research report --data "$(DATA)"; }
	TQDM_DISABLE=1 MPLBACKEND=Agg $(BIN)/python -m crm_research.teaching.book

student: $(STAMP)  ## the notebooks without their solutions, for a class, in reports/student/
	$(BIN)/crm-research student reports/student

test: $(TEST_STAMP)  ## lint, check notebooks are stripped, run the tests (spark and book extras too)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/nbstripout --verify notebooks/*.ipynb
	TQDM_DISABLE=1 MPLBACKEND=Agg $(BIN)/python -m pytest

lint: $(STAMP)  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)  ## ruff fix and format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

strip: $(STAMP)  ## strip outputs from notebooks before committing
	$(BIN)/nbstripout notebooks/*.ipynb

kernel: $(STAMP)  ## (re-)register the Jupyter kernel crm-research for this .venv
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "crm-research (.venv)"

lab: $(STAMP)  ## JupyterLab at the repository root on the project kernel crm-research
	$(BIN)/python -m pip install --quiet -e ".[dev,lab]"
	$(BIN)/jupyter lab --notebook-dir=.

bench: $(STAMP)  ## validation (10M rows), integration (100k people) and summary benchmarks; worlds cached in data/bench/
	$(BIN)/python benchmarks/bench_validate.py 10000000
	$(BIN)/python benchmarks/bench_integration.py --n-people 100000 --workdir data/bench/world-100k
	$(BIN)/python benchmarks/bench_summary.py --rows 10000000 --customers 1000000

bench-1m: $(STAMP)  ## integration of the 1,000,000-person world (simulated once: ~25 min, 15 GiB)
	$(BIN)/python benchmarks/bench_integration.py --n-people 1000000 --workdir data/bench/world-1m

bench-report: $(STAMP)  ## every notebook on a generated own-data export of 1M customers, 10M orders (~10 min)
	$(BIN)/python benchmarks/bench_report.py --workdir data/bench/report-10m

check-reports: $(STAMP)  ## check reports/: links, titles, Markdown, decimals; images in headless Chromium
	$(BIN)/python -m crm_research.reporting.check reports

chromium:  ## install Debian's chromium for the browser check of the reports (needs root)
	apt-get install -y chromium

clean-reports:  ## delete everything under reports/
	rm -rf reports/*
