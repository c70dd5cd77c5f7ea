# zhengji_lab — every target creates .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
YEAR   ?= 2025
SCHEME ?= baseline
WORKSPACE ?= data/sample_city

.PHONY: report test test-fast lint bench clean-notebooks venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,dask]"
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 >/dev/null
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/zhengji report --workspace $(WORKSPACE) --scheme $(SCHEME) --year $(YEAR)

test: $(STAMP)
	$(BIN)/python -m pytest -q

# test-fast leaves out the tests marked slow: notebook runs and report renders (a kernel each),
# Monte Carlo engines checked against naive loops of builds, dask, and the large property tests
# (about half the time of `make test`, which CI runs)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check zhengji_lab tests benchmarks

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean-notebooks: $(STAMP)
	$(BIN)/jupyter nbconvert --clear-output --inplace notebooks/*.ipynb
