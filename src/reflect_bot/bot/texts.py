"""Every word the bot says, in one place, so tone and wording can be reviewed at once.

Messages are Telegram HTML. Anything a person typed must pass through html.escape before
it is placed into one of these templates.
"""

from __future__ import annotations

# --- commands (menu set with setMyCommands; /help lists the same) -------------------------

COMMANDS: tuple[tuple[str, str], ...] = (
    ("checkin", "Quick check-in after a session"),
    ("reflect", "Start a reflection"),
    ("journal", "Your recent reflections"),
    ("concepts", "Concept cards and their research"),
    ("programs", "What you can reflect on"),
    ("schedule", "When prompts arrive"),
    ("digest", "This week's digest"),
    ("export", "Your journal as a Markdown file"),
    ("timezone", "Change your time zone"),
    ("pause", "Pause prompts"),
    ("resume", "Resume prompts"),
    ("cancel", "Stop the current reflection"),
    ("skip", "Skip an optional question"),
    ("forget", "Erase everything stored about you"),
    ("help", "What I can do"),
)

# --- onboarding -----------------------------------------------------------------------------

PRIVACY_NOTICE = (
    "<b>Welcome to reflect-bot</b>\n\n"
    "I help you build a habit of reflecting on your therapeutic relationships: short "
    "check-ins after sessions, a few deeper exercises, and a weekly digest.\n\n"
    "<b>What I store:</b> your answers, your time zone and your schedule. Your answers are "
    "encrypted before they are saved, and only you can see them here.\n"
    "<b>Please leave out</b> client names and anything else that could identify a client.\n"
    "<b>You stay in charge:</b> /export gives you your journal, and /forget erases "
    "everything I hold about you, for good.\n\n"
    "Shall we begin?"
)
CONSENT_BUTTON = "I understand — let's begin"
CONSENT_THANKS = "Thank you. One more thing before we start."
ASK_TIMEZONE = (
    "<b>Which time zone are you in?</b>\n"
    "I use it to send prompts at your local time. Tap one below, or type a zone such as "
    "<code>Europe/Berlin</code>, a city such as <code>Toronto</code>, or an offset such as "
    "<code>UTC+2</code>."
)
TIMEZONE_NOT_UNDERSTOOD = (
    "I couldn't find a time zone called “{typed}”. Try a name such as "
    "<code>Europe/Berlin</code> or <code>America/New_York</code>, a city such as "
    "<code>Toronto</code>, or an offset such as <code>UTC+2</code> or <code>UTC-5:30</code>."
)
TIMEZONE_SET = "Your time zone is now <b>{zone}</b> — it's {local_time} there."
READY = "You're all set. Send /checkin after a session, or /help to see everything I can do."
NEEDS_START = "Hello! Please send /start first, so I can tell you how I keep your reflections safe."
PRIVATE_ONLY = (
    "I only work in private chats, because reflections are personal. "
    "Nothing from this chat has been stored. Message me directly to begin."
)
TEXT_ONLY = "I can only read text for now — could you type your answer instead?"
NOTHING_IN_PROGRESS = "I'm here whenever you're ready. Send /checkin or /reflect to begin, or /help."
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
SOMETHING_WENT_WRONG = (
    "Sorry — something went wrong on my side. Nothing you sent before this was lost; "
    "please try again in a moment."
)
STALE_BUTTON = "That button belongs to an earlier message, so I've left things as they are."


def help_text() -> str:
    """The /help message: every command with what it does."""
    lines = ["<b>What I can do</b>", ""]
    lines += [f"/{name} — {description}" for name, description in COMMANDS]
    lines += ["", "Your answers are encrypted at rest; /forget erases everything."]
    return "\n".join(lines)


# --- concepts and programs ------------------------------------------------------------------

# --- reflections and journal ----------------------------------------------------------------

# --- schedules and prompts ------------------------------------------------------------------

# --- digest ---------------------------------------------------------------------------------

# --- export ---------------------------------------------------------------------------------

# --- privacy and access ---------------------------------------------------------------------
