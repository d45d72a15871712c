# naerhed: make demo | make test | make fuzz | make bench | make mutate
# Each target creates .venv and installs the package and what it needs from pyproject.toml.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test fuzz bench mutate clean

MUTMUT_VERSION := 3.8.1

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/naerhed run scenarios/baseline.yaml

test: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest -n 2 -q

# Property-based tests of the input readers with the long profile: 10,000 examples per target (scenario
# loader, --set parsing, rule-set loader, CSV and FOLK1A readers); prints the examples run per target.
fuzz: $(STAMP)
	NAERHED_HYPOTHESIS_PROFILE=fuzz MPLBACKEND=Agg $(BIN)/python -m pytest -q -s tests/test_fuzz_inputs.py > .fuzz.log 2>&1; \
	status=$$?; grep -E "^fuzz:|passed|failed|Error" .fuzz.log; rm -f .fuzz.log; exit $$status

bench: $(STAMP)
	$(BIN)/python bench/bench_draw.py

# Mutation testing of the money layer (financing/ and health/calibration.py; config in pyproject.toml,
# [tool.mutmut]): mutmut only imports mutants from ./, src/ or source/, so src links to model for the
# run. Prints the share of mutants killed; survivors are discussed in tests/mutation_survivors.md.
mutate: $(STAMP)
	$(BIN)/python -m pip install --quiet "mutmut==$(MUTMUT_VERSION)"
	ln -sfn model src
	rm -rf mutants
	MPLBACKEND=Agg $(BIN)/mutmut run --max-children 2; status=$$?; \
	$(BIN)/python -c "import json,glob,collections; c=collections.Counter(v for f in glob.glob('mutants/**/*.meta', recursive=True) for v in json.load(open(f))['exit_code_by_key'].values()); n=sum(c.values()); k=sum(v for e,v in c.items() if e not in (0,None,33,34,5)); print(f'mutants: {n}, killed: {k} ({100*k/max(n,1):.1f} %), exit codes: {dict(c)}')"; \
	rm -f src; exit $$status

clean:
	rm -rf $(VENV) outputs/*/ .pytest_cache mutants
