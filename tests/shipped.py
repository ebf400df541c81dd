"""The shipped content (`prompts/`) as the tests name it.

Code asks the catalog for programs by role and lists them in its menu order; tests name the
shipped programs outright, so a content change that moves or renames one shows up here.
"""

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
