FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install -e .

COPY alembic.ini ./
COPY alembic ./alembic
COPY prompts ./prompts

RUN useradd --create-home --uid 10001 reflect && mkdir -p /app/data && chown reflect /app/data
USER reflect

ENV REFLECT_PROMPTS_DIR=/app/prompts REFLECT_DATA_DIR=/app/data
CMD ["reflect-bot", "webhook"]
