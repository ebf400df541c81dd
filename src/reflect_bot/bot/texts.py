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
NOTHING_IN_PROGRESS = (
    "I'm here whenever you're ready. Send /checkin or /reflect to begin, or /help."
)
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

REFLECT_ON_THIS = "Reflect on this"
CONCEPT_NOT_FOUND = "I couldn't find that concept card. /concepts lists them all."

# --- reflections and journal ----------------------------------------------------------------

REFLECT_MENU = "<b>What would you like to reflect on?</b>\nTap one to begin.\n\n{programs}"
REFLECT_MENU_LINE = "<b>{title}</b> · about {minutes} min\n{purpose}"
REFLECT_MENU_BUTTON = "{title} (~{minutes} min)"
UNKNOWN_PROGRAM = "I don't have a reflection called “{typed}”. Here are the ones I know:"
REFLECTION_OPENING = "<b>{title}</b>\n{intro}\n\n"
QUESTION = "<i>{progress}</i>\n<b>{question}</b>"
QUESTION_HINT = "\n<i>{hint}</i>"
RATING_SCALE = "\n1 = {low} · 5 = {high}"
OPTIONAL_QUESTION = "\n(Optional: /skip to move on.)"
SKIP_BUTTON = "Skip this one"
ANSWER_SHOWN = "\n\n✓ {value}"
RATING_SHOWN = "{rating} of 5"
SKIPPED_SHOWN = "skipped"
ANSWER_NOT_SAVED = (
    "Sorry, I couldn't save that just now, so it has <b>not</b> been stored. "
    "Please send it again in a moment."
)
TYPE_A_RATING = "Please tap a number from 1 to 5, or type one (for example <code>4</code>).\n\n"
TYPE_A_CHOICE = "Please tap one of the options, or type its words.\n\n"
TYPE_SOME_TEXT = "I didn't catch any words there. A sentence or two is plenty.\n\n"
TEXT_ONLY_IN_REFLECTION = (
    "I can only read text for now, so nothing from that was saved. "
    "Could you type your answer instead?\n\n"
)
ALREADY_OPEN = (
    "You're partway through <b>{title}</b> ({answered} answered so far). "
    "Would you like to carry on with it, or discard it and start <b>{new_title}</b>? "
    "Discarding deletes its answers."
)
CARRY_ON_BUTTON = "Carry on with {title}"
DISCARD_BUTTON = "Discard it and start {title}"
WELCOME_BACK = "Welcome back to <b>{title}</b>. Here's where you left off:\n\n"
DISCARDED = "Discarded: its answers are deleted.\n\n"
OTHER_SET_ASIDE = (
    "I've set <b>{title}</b> aside (its answers are kept in /journal) so you can carry on "
    "with this one.\n\n"
)
SET_ASIDE_AFTER_A_DAY = (
    "Your <b>{title}</b> reflection had waited more than a day, so I set it aside; its answers "
    "are kept. I haven't saved this message as an answer: tap Resume to carry on and send it "
    "again, or start something new with /checkin or /reflect."
)
RESUME_BUTTON = "Resume"
CANCELLED = (
    "Stopped. The {answers} you gave are kept in /journal, where you can resume this "
    "reflection within 7 days."
)
NOTHING_TO_CANCEL = "There's no reflection in progress to stop."
NOTHING_TO_SKIP = "There's no question waiting to be skipped. Send /checkin or /reflect to begin."
CANNOT_SKIP = (
    "This question can't be skipped, but a few words are plenty. "
    "(/cancel stops the reflection; your answers so far are kept.)"
)
PROGRAM_CHANGED = (
    "This reflection's questions have changed since you started, so I've closed it; the "
    "answers you gave are kept in /journal. Send /reflect to start afresh."
)
COMPLETED = (
    "<b>Thank you.</b> Your {title} reflection is saved.\n"
    "Time spent: {minutes}, noted for your CPD record."
)
COMPLETED_CONCEPTS = "\n\nThe ideas behind it:"
FOLLOW_UP_BUTTON = "Start {title}"
BUTTON_ALREADY_ANSWERED = "That question has already been answered."
BUTTON_REFLECTION_ENDED = "That reflection has ended; you'll find it in /journal."
CANNOT_RESUME = "That reflection can no longer be resumed, but it stays in your journal."

JOURNAL_EMPTY = "Your journal is empty so far. Send /checkin after a session, or /reflect to begin."
JOURNAL_HEADER = "<b>Your journal</b> · {first}–{last} of {total}\nTap a number to open one."
JOURNAL_LINE = "<b>{number}.</b> {date} · {title}{status}"
JOURNAL_PREVIEW = "\n<i>{preview}</i>"
JOURNAL_IN_PROGRESS = " · in progress"
JOURNAL_UNFINISHED = " · unfinished"
JOURNAL_NEWER = "‹ Newer"
JOURNAL_OLDER = "Older ›"
JOURNAL_ENTRY = "<b>{title}</b>\n{date}{status}"
JOURNAL_ENTRY_MINUTES = " · {minutes}"
JOURNAL_ENTRY_ANSWER = "<b>{question}</b>\n{answer}"
JOURNAL_ENTRY_EDITED = " <i>(edited)</i>"
JOURNAL_ENTRY_NO_ANSWERS = "<i>No answers yet.</i>"
JOURNAL_CARRY_ON_BUTTON = "Carry on"
ANSWER_UPDATED = "I've updated that answer in your journal; the earlier version is kept."
EDIT_NOT_UNDERSTOOD = "I couldn't read that edit as an answer, so I've kept the earlier one."


def minutes(count: int) -> str:
    """"1 minute", "12 minutes"."""
    return "1 minute" if count == 1 else f"{count} minutes"


def answers(count: int) -> str:
    """"1 answer", "3 answers"."""
    return "1 answer" if count == 1 else f"{count} answers"


# --- schedules and prompts ------------------------------------------------------------------

# --- digest ---------------------------------------------------------------------------------

# --- export ---------------------------------------------------------------------------------

# --- privacy and access ---------------------------------------------------------------------
