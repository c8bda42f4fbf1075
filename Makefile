# Ponte: `make demo` plays the story on the embedded AWS; `make test` runs every check. Both set themselves up.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The Lambda runtime is python3.12: the venvs are made with it, so that `sam build` finds it too.
PYTHON312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
VENV := .venv
SAM_VENV := .tools/sam
CHECKOV_VENV := .tools/checkov
RUN := PYTHONPATH=layers/ponte:. $(VENV)/bin/python
# Pip's log is kept in the venv and shown only when the install fails (this machine's pip configuration names
# local mirrors that may be absent, and pip warns about each of them).
PIP_NOISE := is ignored: it is neither a file nor a directory
PY_SOURCES := layers functions infra tests

export AWS_EC2_METADATA_DISABLED := true

.PHONY: help demo serve test lint types template build browser pytest bench clean

help:
	@echo "make demo    play the whole story on the embedded AWS and print it"
	@echo "make test    lint, types, template checks, sam build and every test"
	@echo "make serve   run the local stack: HTTP API on 127.0.0.1:3000, AWS emulator endpoint printed"
	@echo "make bench   run the benchmarks in tests/bench and print their figures"

define make_venv
	@test -n "$(PYTHON312)" || { echo "python3.12 not found (pyenv install 3.12, or set PYTHON312=...)"; exit 1; }
	rm -rf $(1) && $(PYTHON312) -m venv $(1)
	$(1)/bin/pip install --disable-pip-version-check -q -r $(2) > $(1)/pip.log 2>&1 \
		|| { grep -v '$(PIP_NOISE)' $(1)/pip.log; echo "pip install -r $(2) failed"; exit 1; }
	$(if $(3),$(1)/bin/pip install --disable-pip-version-check -q $(3) >> $(1)/pip.log 2>&1 \
		|| { grep -v '$(PIP_NOISE)' $(1)/pip.log; echo "pip install $(3) failed"; exit 1; })
	$(1)/bin/python -c "import sys; assert sys.version_info[:2] == (3, 12)"
	touch $(1)/.installed
endef

# The project itself too, editable and without its dependencies (the requirements pin them): the `ponte` command.
$(VENV)/.installed: requirements/dev.txt layers/ponte/requirements.txt
	$(call make_venv,$(VENV),requirements/dev.txt,--no-deps -e .)

$(SAM_VENV)/.installed: requirements/sam.txt
	$(call make_venv,$(SAM_VENV),requirements/sam.txt)

$(CHECKOV_VENV)/.installed: requirements/checkov.txt
	$(call make_venv,$(CHECKOV_VENV),requirements/checkov.txt)

demo: $(VENV)/.installed
	$(RUN) -m infra.local demo

serve: $(VENV)/.installed
	$(RUN) -m infra.local serve

test: lint types template build pytest
	@echo "make test: every check passed"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check $(PY_SOURCES)
	$(VENV)/bin/ruff format --check $(PY_SOURCES)
	node --check console/app.js

types: $(VENV)/.installed
	$(VENV)/bin/mypy layers/ponte/ponte functions infra tests

template: $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed
	$(SAM_VENV)/bin/cfn-lint template.yaml
	AWS_DEFAULT_REGION=us-east-1 $(SAM_VENV)/bin/python infra/scripts/sam_translate.py template.yaml
	$(CHECKOV_VENV)/bin/checkov --file template.yaml --framework cloudformation --skip-download --quiet --compact

build: $(SAM_VENV)/.installed $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam build --template template.yaml

# The staff console's browser tests need Debian's Chromium and its driver; installed once, as root, with apt-get.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		echo "installing Debian's chromium and chromium-driver for the console's browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

pytest: $(VENV)/.installed browser
	$(VENV)/bin/python -m pytest -n auto --cov --cov-report=term:skip-covered -q --durations=15

bench: $(VENV)/.installed
	$(RUN) -m pytest tests/bench -q -s -p no:cacheprovider

clean:
	rm -rf $(VENV) .tools .aws-sam .pytest_cache .mypy_cache .ruff_cache .coverage .hypothesis
