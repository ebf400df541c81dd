"""`reflect-bot concepts suggest | evaluate`: the concept recogniser from the command line.

Needs no token, database or keys: only the prompts folder and the word-vector table. Content
editors use it to see what the recogniser makes of a sentence and to measure a labelled set
after editing a card's examples or traps.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reflect_bot.domain.recognition import ConceptRecogniser

__all__ = ["add_concepts_commands"]


def add_concepts_commands(commands: Any) -> None:
    """Registers `concepts suggest` and `concepts evaluate` on the CLI's subparsers."""
    concepts = commands.add_parser("concepts", help="recognise concepts in free text")
    concepts_commands = concepts.add_subparsers(title="concepts commands", metavar="COMMAND")
    suggest = concepts_commands.add_parser(
        "suggest",
        help='JSON lines {"text", "question"?} on stdin → one line of ranked concepts each',
    )
    _prompts_option(suggest)
    suggest.set_defaults(handler=_suggest)
    evaluate = concepts_commands.add_parser(
        "evaluate", help='figures on a labelled set: JSON lines {"text", "concepts": [slugs]}'
    )
    evaluate.add_argument("file", type=Path, help="the labelled JSON-lines file")
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    _prompts_option(evaluate)
    evaluate.set_defaults(handler=_evaluate)


def _prompts_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--prompts",
        type=Path,
        default=None,
        help="the prompts folder (default: REFLECT_PROMPTS_DIR, else the checkout's prompts/)",
    )


def _recogniser(args: argparse.Namespace) -> ConceptRecogniser | None:
    from reflect_bot.catalog import CatalogError, default_prompts_dir, load_catalog
    from reflect_bot.recognition_loader import build_recogniser

    directory: Path = args.prompts or Path(
        os.environ.get("REFLECT_PROMPTS_DIR") or default_prompts_dir()
    )
    try:
        return build_recogniser(load_catalog(directory))
    except CatalogError as exc:
        print(f"the prompts in {directory} have problems:\n{exc}", file=sys.stderr)
        return None


def _suggest(args: argparse.Namespace) -> int:
    recogniser = _recogniser(args)
    if recogniser is None:
        return 2
    code = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            text, question = raw["text"], raw.get("question")
            if not isinstance(text, str) or not isinstance(question, str | None):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            # The line itself is not echoed: it may be a clinician's answer.
            print(f'line {number}: expected {{"text": "...", "question"?: "..."}}', file=sys.stderr)
            print(json.dumps({"error": "expected a JSON object with a text"}), flush=True)
            code = 1
            continue
        recognition = recogniser.recognise(text, question)
        concepts = [
            {"slug": score.slug, "score": score.score, "shown": score.shown}
            for score in recognition.ranked
        ]
        print(json.dumps({"concepts": concepts}), flush=True)
    return code


def _evaluate(args: argparse.Namespace) -> int:
    from reflect_bot.domain.recognition_evaluation import evaluate, read_labelled

    try:
        labelled = read_labelled(args.file)
    except (OSError, ValueError) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    recogniser = _recogniser(args)
    if recogniser is None:
        return 2
    unknown = sorted({slug for line in labelled for slug in line.concepts} - set(recogniser.slugs))
    if unknown:
        print(
            f"{args.file}: unknown or unrecognisable concepts: {', '.join(unknown)}",
            file=sys.stderr,
        )
        return 2
    figures = evaluate(labelled, recogniser.recognise)
    print(json.dumps(figures.as_dict()) if args.json else figures.report())
    return 0
