# The two commands in the README: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test install services clean

# Reinstall when the dependency list changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## Serve the bundled demo site on 127.0.0.1, crawl it into data/newsdb.sqlite, print a summary.
demo: $(STAMP)
	$(BIN)/newsdb demo
	$(BIN)/newsdb stats

## Run the test suite (uses PostgreSQL on 127.0.0.1:5432).
test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) data .pytest_cache
