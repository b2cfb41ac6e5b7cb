# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MODEL := models/default
# The default model: trained here by the setup step (about 10 minutes on 2 cores), then cached.
DEFAULT_TRAIN := --epochs 10 --no-baselines
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

# Label Studio for review: its own venv (its pins clash with ours), plus Debian's chromium for
# the labeling-page screenshot test (installed only when missing; CI runs as root).
LS_VENV := .venv-ls
LS_STAMP := $(LS_VENV)/.installed-1.23.2

.PHONY: install model demo test clean labelstudio chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

$(LS_STAMP):
	$(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/pip install --quiet --upgrade pip
	$(LS_VENV)/bin/pip install --quiet label-studio==1.23.2
	touch $(LS_STAMP)

labelstudio: $(LS_STAMP)

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

$(MODEL)/narrative_model.json: | $(STAMP)
	$(BIN)/narrative train --out $(MODEL) $(DEFAULT_TRAIN)

model: $(MODEL)/narrative_model.json

demo: install model
	mkdir -p out
	NARRATIVE_PSEUDONYM_KEY_FILE=$${NARRATIVE_PSEUDONYM_KEY_FILE:-out/pseudonym.key} \
	$(BIN)/narrative redact examples/notes.jsonl --cases examples/cases.jsonl -o out/redacted.jsonl
	$(BIN)/narrative extract out/redacted.jsonl --cases examples/cases.jsonl --model $(MODEL) -o out/suggestions.jsonl

test: install labelstudio chromium
	$(BIN)/python -m pytest -q

clean:
	rm -rf out .pytest_cache
