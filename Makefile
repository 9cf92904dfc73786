# coreos-lab: set up, test and demo. `make install` once, then `make test` or `make demo`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := $(CURDIR)/.demo

.PHONY: install test test-netns lint demo bench clean help-text

# pip runs with -qq: only errors reach the screen (`--log` would bring its warnings back). After
# changing pyproject.toml, run `$(BIN)/pip install -e '.[dev]'` once by hand to see setuptools'.
$(BIN)/coreos-lab: pyproject.toml
	@echo "== installing coreos-lab and its test tools into $(VENV) (about a minute)"
	@$(PY) -m venv $(VENV)
	@$(BIN)/pip install -qq --upgrade pip
	@$(BIN)/pip install -qq -e '.[dev]'
	@touch $@

install: $(BIN)/coreos-lab  ## create .venv with coreos-lab and the test tools

lint: install  ## ruff, mypy and the import contracts, as CI runs them
	$(BIN)/ruff check coreos_lab tests bench
	$(BIN)/ruff format --check coreos_lab tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install lint  ## the whole suite, as CI runs it
	PYTEST=$(BIN)/pytest ./scripts/test.sh

test-netns: install  ## only the etcd bootstrap tests in network namespaces (root); make test runs them too
	$(BIN)/pytest -q tests/netns

bench: install  ## benchmark scripts; they print their figures
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

demo: install  ## emulator, then up, ips and down against it: the main job without an Azure account
	@./scripts/demo.sh

help-text: install  ## re-render coreos_lab/help.txt, the top-level help launcher.py prints
	COLUMNS=80 $(BIN)/python -c 'import sys; sys.argv = ["coreos-lab", "--help"]; \
	from coreos_lab.cli.app import main; main()' > coreos_lab/help.txt

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
