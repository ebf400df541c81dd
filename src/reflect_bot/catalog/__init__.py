"""The content catalog: concept cards, reflection programs and their sources.

Content lives in TOML under `prompts/` (see `loader` for the layout); this package
defines its vocabulary (`kinds`: step kinds, categories, the roles programs play for the
code), its typed shapes (`models`), the rules across entries (`checks`), and loads and checks
it all (`loader`). Code asks the catalog for a program by role
(`catalog.program_for(Role.CHECKIN)`), never by a program id of its own. It is pure domain
code: no Telegram, no database.
"""

from reflect_bot.catalog.kinds import (
    ACTION_SECTIONS,
    CHECKIN_RATING_STEPS,
    CHECKIN_RUPTURE_OPTIONS,
    CHECKIN_RUPTURE_STEP,
    MAX_OPTION_ID_LENGTH,
    MAX_SLUG_LENGTH,
    MAX_STEP_ID_LENGTH,
    RATING_MAX,
    RATING_MIN,
    Answer,
    Category,
    CpdKind,
    Role,
    Section,
    StepKind,
)
from reflect_bot.catalog.loader import (
    CatalogError,
    Problem,
    check_catalog,
    default_prompts_dir,
    load_catalog,
)
from reflect_bot.catalog.models import (
    Catalog,
    Choice,
    Concept,
    Condition,
    FollowUp,
    Program,
    Source,
    SourceDocument,
    SourceRef,
    Step,
)
from reflect_bot.catalog.profiles import CpdRequirement, EvidenceChoice, Heading, Profile

__all__ = [
    "ACTION_SECTIONS",
    "CHECKIN_RATING_STEPS",
    "CHECKIN_RUPTURE_OPTIONS",
    "CHECKIN_RUPTURE_STEP",
    "MAX_OPTION_ID_LENGTH",
    "MAX_SLUG_LENGTH",
    "MAX_STEP_ID_LENGTH",
    "RATING_MAX",
    "RATING_MIN",
    "Answer",
    "Catalog",
    "CatalogError",
    "Category",
    "Choice",
    "Concept",
    "Condition",
    "CpdKind",
    "CpdRequirement",
    "EvidenceChoice",
    "FollowUp",
    "Heading",
    "Problem",
    "Profile",
    "Program",
    "Role",
    "Section",
    "Source",
    "SourceDocument",
    "SourceRef",
    "Step",
    "StepKind",
    "check_catalog",
    "default_prompts_dir",
    "load_catalog",
]
