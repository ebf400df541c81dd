"""The shipped content (`prompts/`) as the tests name it.

Code asks the catalog for programs by role and lists them in its menu order; tests name the
shipped programs outright, so a content change that moves or renames one shows up here.
"""

from functools import cache
from pathlib import Path

from reflect_bot.catalog import Catalog, load_catalog
from reflect_bot.recognition_loader import LazyRecogniser

#: The ten programs, in the menu order their TOML gives them.
PROGRAM_IDS: tuple[str, ...] = (
    "two-relationships",
    "post-session-checkin",
    "rupture-repair",
    "empathy-attunement",
    "secure-base",
    "rogers-conditions",
    "collaborative-empiricism",
    "affect-labeling",
    "gibbs-cycle",
    "what-so-what",
)

#: The program that plays `Role.CHECKIN`.
CHECKIN_PROGRAM_ID = "post-session-checkin"


@cache
def catalog_of(prompts_dir: Path) -> Catalog:
    """A content folder's catalog, loaded once per test process for the bots and senders the
    tests build: it is frozen, and loading it again for each would only repeat the work."""
    return load_catalog(prompts_dir)


@cache
def recognisers_of(prompts_dir: Path) -> LazyRecogniser:
    """The catalog's concept recogniser, for the same bots and senders: built at its first
    use (≈ 0.1 s of embedding) and immutable after, so one per test process serves them all."""
    return LazyRecogniser(catalog_of(prompts_dir))
