# The two commands: `make run` (install + demo) and `make test` (install + services + suite).
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
PG_URL := postgresql+psycopg://copilot:copilot@127.0.0.1:5432/copilot_test
REDIS_URL := redis://127.0.0.1:6379/15

.PHONY: install run test services lint clean speech

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# torch first and pinned: the local CPU wheel; anything unpinned pulls CUDA (MODELS.md).
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	# espeak-ng speaks the demo's live host script (copilot demo streams it into the room);
	# a CJK font draws the Chinese labels of the show's review plots (copilot report).
	# Best effort: without them the demo still serves, only without the live host.
	{ command -v espeak-ng >/dev/null && fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; } || \
		{ SUDO=$$([ "$$(id -u)" -ne 0 ] && echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq espeak-ng fonts-wqy-microhei >/dev/null || \
		echo "espeak-ng or the CJK font not installed: no live host, boxes for Chinese in plots"; }
	$(VENV)/bin/copilot demo

services:
	bash scripts/services.sh

speech: install
	$(PY) -m evals.speech_data var/speech

test: install services lint speech
	COPILOT_TEST_DATABASE_URL=$(PG_URL) COPILOT_TEST_REDIS_URL=$(REDIS_URL) \
		$(VENV)/bin/pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy copilot knowledge transcripts api evals prompts

clean:
	rm -rf $(VENV) var
