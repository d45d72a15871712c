# naerhed: make demo | make test | make bench
# Each target creates .venv and installs the package and what it needs from pyproject.toml.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/naerhed run scenarios/baseline.yaml

test: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python bench/bench_draw.py

clean:
	rm -rf $(VENV) outputs/*/ .pytest_cache
