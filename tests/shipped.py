"""The shipped content (`prompts/`) as the tests name it.

Code asks the catalog for programs by role and lists them in its menu order; tests name the
shipped programs outright, so a content change that moves or renames one shows up here.
"""

from functools import cache
from pathlib import Path

from reflect_bot.catalog import Catalog, load_catalog

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
