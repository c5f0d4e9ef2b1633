# Two commands on a fresh machine: `make report` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SPARK_STAMP := $(VENV)/.installed-spark-stamp
KERNEL := crm-research

.PHONY: report test lint format strip lab bench clean-reports

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-installs when pyproject.toml changes; registers a Jupyter kernel for the venv.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "crm-research (.venv)"
	touch $(STAMP)

# The tests also need the spark extra (pyspark, ~320 MB; Java 17) for the backend-equality tests.
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,spark]"
	touch $(SPARK_STAMP)

DATA ?= simulated

report: $(STAMP)  ## run every notebook into reports/ on DATA (simulated, cdnow or your YAML)
	TQDM_DISABLE=1 MPLBACKEND=Agg $(BIN)/crm-research report --data "$(DATA)"

test: $(SPARK_STAMP)  ## lint, check notebooks are stripped, run the tests
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/nbstripout --verify notebooks/*.ipynb
	TQDM_DISABLE=1 MPLBACKEND=Agg $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

strip: $(STAMP)  ## strip outputs from notebooks before committing
	$(BIN)/nbstripout notebooks/*.ipynb

lab: $(STAMP)  ## JupyterLab on the project kernel
	$(BIN)/python -m pip install --quiet -e ".[dev,lab]"
	$(BIN)/jupyter lab --notebook-dir=notebooks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_integration.py --n-people 100000
	$(BIN)/python benchmarks/bench_summary.py --rows 10000000 --customers 1000000

clean-reports:
	rm -rf reports/*
