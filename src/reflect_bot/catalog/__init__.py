"""The content catalog: concept cards, reflection programs and their sources.

Content lives in TOML under `prompts/` (see `loader` for the layout); this package
defines its typed model (`schema`) and loads and checks it (`loader`). It is pure
domain code: no Telegram, no database.
"""

from reflect_bot.catalog.loader import (
    CatalogError,
    Problem,
    check_catalog,
    default_prompts_dir,
    load_catalog,
)
from reflect_bot.catalog.schema import (
    CHECKIN_PROGRAM_ID,
    CHECKIN_RATING_STEPS,
    CHECKIN_RUPTURE_OPTIONS,
    CHECKIN_RUPTURE_STEP,
    MAX_OPTION_ID_LENGTH,
    MAX_SLUG_LENGTH,
    MAX_STEP_ID_LENGTH,
    PROGRAM_IDS,
    RATING_MAX,
    RATING_MIN,
    Answer,
    Catalog,
    Category,
    Choice,
    Concept,
    Condition,
    FollowUp,
    Program,
    Source,
    SourceDocument,
    SourceRef,
    Step,
    StepKind,
)

__all__ = [
    "CHECKIN_PROGRAM_ID",
    "CHECKIN_RATING_STEPS",
    "CHECKIN_RUPTURE_OPTIONS",
    "CHECKIN_RUPTURE_STEP",
    "MAX_OPTION_ID_LENGTH",
    "MAX_SLUG_LENGTH",
    "MAX_STEP_ID_LENGTH",
    "PROGRAM_IDS",
    "RATING_MAX",
    "RATING_MIN",
    "Answer",
    "Catalog",
    "CatalogError",
    "Category",
    "Choice",
    "Concept",
    "Condition",
    "FollowUp",
    "Problem",
    "Program",
    "Source",
    "SourceDocument",
    "SourceRef",
    "Step",
    "StepKind",
    "check_catalog",
    "default_prompts_dir",
    "load_catalog",
]
