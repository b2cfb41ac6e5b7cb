# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MODEL := models/default
# The default model: trained here by the setup step (6 to 10 minutes on 2 cores), then cached.
DEFAULT_TRAIN := --epochs 12 --frozen-layers 3 --seed 14 --no-baselines
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export RAY_USAGE_STATS_ENABLED := 0

# Label Studio for review: its own venv (its pins clash with ours), plus Debian's chromium for
# the labeling-page screenshot test (installed only when missing; CI runs as root).
LS_VENV := .venv-ls
LS_STAMP := $(LS_VENV)/.installed-1.23.2

.PHONY: install model demo test clean labelstudio chromium report-screenshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,batch]"
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
	rm -f out/narrative.db
	$(BIN)/narrative review accept-all out/suggestions.jsonl --db out/narrative.db --cases examples/cases.jsonl --reviewer demo
	$(BIN)/narrative report --db out/narrative.db -o out/report.html --case EX1

test: install labelstudio chromium
	$(BIN)/python -m pytest -q

# docs/report.png: the report of a generated 300-child cohort (gold labels accepted), in headless Chromium.
report-screenshot: install chromium
	rm -rf out/screenshot && mkdir -p out/screenshot
	$(BIN)/narrative synth -o out/screenshot --children 300 --seed 7
	$(BIN)/narrative review accept-gold out/screenshot/synth_corpus.jsonl --cases out/screenshot/synth_cases.jsonl \
		--db out/screenshot/narrative.db --areas North,South,East,West
	$(BIN)/narrative report --db out/screenshot/narrative.db -o out/screenshot/report.html --case S00003
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot=docs/report.png \
		--window-size=1280,2400 file://$(CURDIR)/out/screenshot/report.html

clean:
	rm -rf out .pytest_cache
