# Mend Assistant. `make run` and `make test` each do the whole set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
SPACY_MODEL := build/spacy/mend_en
MODEL_STAMP := models/.trained

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Rasa's dependencies print pages of deprecation warnings; keep the output readable.
export PYTHONWARNINGS := ignore::DeprecationWarning,ignore::PendingDeprecationWarning

# Python 3.10 (Rasa 3.6 refuses newer): python3.10 on PATH if it answers, else one under pyenv.
PYTHON310 := $(firstword $(foreach candidate,\
	$(shell command -v python3.10 2>/dev/null) \
	$(wildcard $(shell pyenv root 2>/dev/null)/versions/3.10.*/bin/python3.10) \
	$(wildcard $(HOME)/.pyenv/versions/3.10.*/bin/python3.10),\
	$(if $(shell $(candidate) -c 'import sys; print(sys.version_info[:2] == (3, 10))' 2>/dev/null | grep True),$(candidate))))

TRAINING_FILES := config.yml domain.yml $(shell find data -name '*.yml' -not -path 'data/knowledge/*' -not -path 'data/safety/*' 2>/dev/null)
# The spaCy pipeline holds the clinic names (entities); red flags live in bot/safety/, read at start.
KNOWLEDGE_FILES := data/knowledge/clinic.yml $(wildcard bot/nlp/*.py)

.PHONY: help setup run test bench train lint validate db browser clean

help:
	@echo "make run    set everything up and start the bot (Rasa :5005, actions :5055, web :8000)"
	@echo "make test   set everything up and run every test"
	@echo "make bench  print accuracy, latency and memory figures"

$(VENV)/.installed: requirements.lock requirements-nodeps.lock pyproject.toml
	@if [ -z "$(PYTHON310)" ]; then \
		echo "error: Python 3.10 not found. Rasa 3.6 needs Python 3.10: install it (for example 'pyenv install 3.10.13') and run make again." >&2; \
		exit 1; \
	fi
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<25" wheel
	# Byte-compiled at install on purpose: `pip --no-compile` saved a minute here, but with
	# PYTHONDONTWRITEBYTECODE=1 (set on this machine) no .pyc is ever written later, so every
	# process (each test bot) compiled TensorFlow and Rasa again: pytest 681 s -> 1,023 s.
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(SPACY_MODEL)/meta.json: $(VENV)/.installed $(KNOWLEDGE_FILES)
	$(PY) -m bot.nlp.pipeline --out $(SPACY_MODEL)

# Train only when training data, config, domain or the spaCy pipeline changed.
$(MODEL_STAMP): $(VENV)/.installed $(SPACY_MODEL)/meta.json $(TRAINING_FILES)
	@mkdir -p models
	$(RASA) train --fixed-model-name mend --out models --quiet
	@touch $@

# The web widget's browser library (socket.io-client), served by the web app itself.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

setup: $(VENV)/.installed $(SPACY_MODEL)/meta.json $(MODEL_STAMP) node_modules/.package-lock.json db

train: $(MODEL_STAMP)

db: $(VENV)/.installed
	$(PY) -m bot db upgrade

run: setup
	$(VENV)/bin/honcho start -f Procfile

validate: setup
	$(RASA) data validate --quiet

# Headless Chromium for the browser tests (Debian's package; needs root).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "warning: could not install chromium; browser tests will skip" >&2; \
		else echo "note: chromium is not installed (apt-get install chromium); browser tests will skip" >&2; fi; }

# Every test is a pytest test, including Rasa's data validation and the conversation tests
# (tests/test_rasa_project.py).
test: setup browser
	$(PY) -m pytest

# ruff with the rule set in pyproject.toml, and mypy on the bot package (clean: keep it so).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check bot actions tests bench migrations
	$(VENV)/bin/ruff format --check bot actions tests bench migrations
	$(VENV)/bin/mypy

bench: setup
	$(PY) -m bench.run_all

clean:
	rm -rf build models var test-output .rasa results
