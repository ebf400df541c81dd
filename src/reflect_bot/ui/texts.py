"""Every word the bot says, in one place, so tone and wording can be reviewed at once.

Messages are Telegram HTML. Anything a person typed must pass through html.escape before
it is placed into one of these templates.
"""

from __future__ import annotations

from html import escape

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

# What the bot is not, said plainly at onboarding and in /help.
WHAT_I_AM_NOT = (
    "<b>What I am not:</b> I'm not supervision and not a clinical record. I can't take a "
    "report of an incident or of a risk to a client: for that, follow your service's "
    "safeguarding procedure.\n"
    "<b>Write about your learning, not case detail:</b> in some jurisdictions a court can "
    "ask to see reflections like these."
)
PRIVACY_NOTICE = (
    "<b>Welcome to reflect-bot</b>\n\n"
    "I help you build a habit of reflecting on your therapeutic relationships: short "
    "check-ins after sessions, a few deeper exercises, and a weekly digest.\n\n"
    "<b>What I store:</b> your answers, your time zone and your schedule. Your answers are "
    "encrypted before they are saved, and only you can see them here.\n"
    "<b>Please leave out</b> client names and anything else that could identify a client.\n"
    "<b>You stay in charge:</b> /export gives you your journal, and /forget erases "
    "everything I hold about you (an encrypted copy can stay in the service's backups "
    "until they expire).\n\n" + WHAT_I_AM_NOT + "\n\n"
    "Shall we begin?"
)
# Offered when a reflection touches something heavy (steps marked offers_support). The
# deployment can name its own support with REFLECT_SUPPORT_TEXT; the default names kinds of
# help only, never a number that might be wrong where the bot is used.
DEFAULT_SUPPORT_TEXT = (
    "your clinic's staff support or employee assistance service, your supervisor, your "
    "professional body's helpline, or your GP"
)
SUPPORT_OFFER = (
    "<i>This can stir up a lot. You don't have to carry it alone: support is there from "
    "{support}. You can also skip this question.</i>"
)


def support_offer(support_text: str | None = None) -> str:
    """The support offer, naming the deployment's own support (escaped) or the default."""
    support = escape(support_text.strip(), quote=False) if support_text else None
    return SUPPORT_OFFER.format(support=support or DEFAULT_SUPPORT_TEXT)
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
PROMPTS_STOPPED = (
    "Your prompts are stopped, because I couldn't reach you. /resume turns them back on."
)
UNBLOCKED = "Welcome back! " + PROMPTS_STOPPED
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
    lines += ["", WHAT_I_AM_NOT]
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
    "Stopped. I've kept your {answers} in /journal, where you can resume this reflection "
    "within 7 days."
)
CANCELLED_EMPTY = "Stopped. There were no answers yet, so there's nothing to keep."
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
JOURNAL_WHEN = "{weekday} {day} {month} {time}"  # e.g. "Thu 5 Nov 14:30"
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
EDIT_NOT_SAVED = (
    "Sorry, I couldn't save your edit just now, so the earlier version is still the one "
    "stored. Please try the edit again in a moment."
)
EDIT_NOT_UNDERSTOOD = "I couldn't read that edit as an answer, so I've kept the earlier one."


def minutes(count: int) -> str:
    """Minutes as words: 1 minute, 12 minutes."""
    return "1 minute" if count == 1 else f"{count} minutes"


def answers(count: int) -> str:
    """Answers as words: 1 answer, 3 answers."""
    return "1 answer" if count == 1 else f"{count} answers"


# --- schedules and prompts ------------------------------------------------------------------

DAY_NAMES: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES_PLURAL: tuple[str, ...] = (
    "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays",
)
MONTH_NAMES: tuple[str, ...] = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)
LOCAL_DAY = "{weekday} {day} {month}"  # e.g. "Thu 5 Nov"
LOCAL_MOMENT = "{weekday} {day} {month} at {time}"
EVERY_DAY = "every day"
ON_WEEKDAYS = "weekdays"
ON_WEEKENDS = "weekends"
NO_DAYS = "no days yet"
ROTATING = "A deeper exercise (a different one each time)"
DIGEST = "Your weekly digest"
SCHEDULE_DESCRIPTION = "{what} — {days} at {time}"
SCHEDULE_LINE = "• {description}"

PROMPT = "<b>Time to reflect</b>\n<b>{title}</b> · about {minutes} min\n\n{purpose}"
PROMPT_START = "Start now"
PROMPT_SNOOZE_HOUR = "Snooze 1 h"
PROMPT_SNOOZE_TONIGHT = "Tonight"
PROMPT_SKIP = "Skip"
PROMPT_SNOOZED = "Snoozed — I'll remind you at {time}."
PROMPT_SKIPPED = "Skipped. See you next time."
PROMPT_PASSED = "This prompt has passed — /checkin or /reflect work any time."

SCHEDULE_HEADER = "<b>Your prompts</b> (times in {zone})"
SCHEDULE_EMPTY = "You have no scheduled prompts yet."
SCHEDULE_NEXT = "Next: {when}."
SCHEDULE_PAUSED_UNTIL = "⏸ Paused: prompts start again on {until}. /resume brings them back sooner."
SCHEDULE_PAUSED = "⏸ Paused. /resume turns prompts back on."
SCHEDULE_STOPPED = "⏸ Stopped, because I couldn't reach you. /resume turns prompts back on."
SCHEDULE_HINT = "Tap one to change or remove it, or add another."
SCHEDULE_ADD = "➕ Add a prompt"
SCHEDULE_ADD_DIGEST = "➕ Weekly digest"
SCHEDULE_EDIT_BUTTON = "✏️ {what}"
SCHEDULE_BACK = "« Back"
SCHEDULE_CHOOSE_PROGRAM = "<b>What would you like to be prompted with?</b>"
SCHEDULE_ROTATE = "Rotate through the deeper exercises"
SCHEDULE_CHOOSE_DAYS = "<b>{what}</b>\nWhich days? Tap a day to switch it on or off."
SCHEDULE_CHOOSE_DIGEST_DAY = "<b>{what}</b>\nWhich day should it arrive?"
SCHEDULE_WEEKDAYS_BUTTON = "Weekdays"
SCHEDULE_EVERY_DAY_BUTTON = "Every day"
SCHEDULE_NEXT_BUTTON = "Next »"
SCHEDULE_SAVE_BUTTON = "Save"
SCHEDULE_NEEDS_A_DAY = "Choose at least one day."
SCHEDULE_CHOOSE_HOUR = "<b>{what}</b>\n{days}. At what hour? (your time, {zone})"
SCHEDULE_CHOOSE_MINUTE = "<b>{what}</b>\n{days}. At {hour}:… and the minutes?"
SCHEDULE_EDIT = "<b>{what}</b>\n{days} at {time}\n\nWhat would you like to change?"
SCHEDULE_EDIT_PROGRAM = "What"
SCHEDULE_EDIT_DAYS = "Days"
SCHEDULE_EDIT_TIME = "Time"
SCHEDULE_REMOVE = "Remove"
SCHEDULE_SAVED = "✅ Saved: {description}."
SCHEDULE_REMOVED = "Removed: {what}."
SCHEDULE_NEEDS_TIMEZONE = "Please tell me your time zone first: /timezone"

PAUSE_UNTIL = (
    "Prompts are paused; they start again on {until}. Send /resume to bring them back sooner."
)
PAUSE_INDEFINITELY = "Prompts are paused until you send /resume."
PAUSE_USAGE = (
    "Send /pause to pause prompts until you resume, or /pause 3 to pause for three days "
    "(up to 365)."
)
RESUMED = "Prompts are back on."
RESUME_NOT_PAUSED = "Prompts are already on."

STARTER_PLAN_OFFER = (
    "<b>Would a starter plan help?</b> A gentle rhythm many clinicians like:\n"
    "{lines}\n\n"
    "Times are yours ({zone}); you can change any of it later with /schedule."
)
STARTER_ACCEPT = "Use this plan"
STARTER_CHANGE = "Adjust it"
STARTER_DECLINE = "Not now"
STARTER_ACCEPTED = "Your plan is set. /schedule shows it and lets you change it."
STARTER_DECLINED = (
    "No scheduled prompts, then. /checkin works any time, and /schedule sets prompts "
    "whenever you like."
)
STARTER_ALREADY = "You already have a schedule — here it is."

# --- digest ---------------------------------------------------------------------------------

DIGEST_TITLE = "<b>Your week in reflection</b> · {dates}"
DIGEST_TITLE_SO_FAR = "<b>Your week so far</b> · {dates}"
DIGEST_USAGE = "Send /digest for this week so far, or <code>/digest last</code> for last week."
DIGEST_EMPTY = (
    "No reflections this week, and that's alright: some weeks are full enough already. "
    "When a session stays with you, /checkin takes three minutes."
)
DIGEST_EMPTY_SO_FAR = (
    "Nothing yet this week, and that's alright. "
    "When a session stays with you, /checkin takes three minutes."
)
DIGEST_COMPLETED = "<b>{count}</b> {reflections} completed"
DIGEST_PROMPTS_SENT = "{count} {prompts} sent"
DIGEST_PROGRAM_TIMES = "{title} ×{times}"
DIGEST_CPD = "CPD time: {minutes} min"
DIGEST_STREAK_NEW = "A reflection this week: a new streak starts here"
DIGEST_STREAK = "{weeks} weeks in a row with at least one reflection"
DIGEST_ALLIANCE_TITLE = "<b>Alliance</b> · check-in averages (1–5), against the 4 weeks before"
DIGEST_ALLIANCE_NAMES = {"bond": "Bond", "goals": "Goals", "tasks": "Tasks", "overall": "Overall"}
DIGEST_ALLIANCE_LINE = "{name} {average} ({change})"
DIGEST_ALLIANCE_NO_CHANGE = "no change"
DIGEST_ALLIANCE_FIRST = "nothing to compare yet"
# The client's view: the clinician's guess and the client's own score, never mixed.
DIGEST_CLIENT_VIEW_TITLE = (
    "<b>The client's view</b> · your guess and what clients told you, kept apart (1–5)"
)
DIGEST_CLIENT_GUESSED = "Your guess"
DIGEST_CLIENT_REPORTED = "Reported by clients"
DIGEST_CLIENT_LINE = "{name}: {average}, from {checkins} {checkin_words}"
DIGEST_CLIENT_CHANGE = (
    " · {change} against {previous} from {previous_checkins} in the 4 weeks before"
)
DIGEST_CLIENT_TOO_FEW = (
    " · no change shown with fewer than {minimum} check-ins in either period"
    " (4 weeks before: {previous_checkins})"
)
DIGEST_CLIENT_NONE_REPORTED = (
    'No client gave you a score this week. Ending with "How was today for you?" is a good start.'
)
DIGEST_CHECKIN_WORDS = ("check-in", "check-ins")
DIGEST_RUPTURES_TITLE = "<b>Ruptures</b>"
DIGEST_RUPTURE_KINDS = {
    "withdrawal": "Withdrawal",
    "confrontation": "Confrontation",
    "unsure": "Not sure",
}
DIGEST_REPAIRED = "{repaired} of {reported} followed by a repair reflection"
DIGEST_CONCEPTS_TITLE = "<b>What you reflected on</b>"
DIGEST_CONCEPT = "• {name}{words} · <i>{source}</i>"
DIGEST_CONCEPT_WORDS = " — you wrote {phrases}"
DIGEST_CONCEPT_SOURCE = "{document}: {section}"
DIGEST_CONCEPTS_MORE = "…and {count} more from your programs: /concepts"
DIGEST_EXCERPTS_TITLE = "<b>In your own words</b>"
DIGEST_EXCERPT_FROM = "<i>{day} · {program}</i>"
DIGEST_FOCUS_TITLE = "<b>Next week</b>"
DIGEST_FOCUS = {
    "unrepaired_rupture": (
        "Try <b>{program}</b>: you noted a rupture on {day}, and no repair reflection "
        "has followed it yet."
    ),
    "alliance_dip": (
        "Try <b>{program}</b>: your {rating} average fell to {average}, from {previous} "
        "over the 4 weeks before."
    ),
    "no_empathy": "Try <b>{program}</b>: you haven't done an empathy reflection in 3 weeks.",
    "not_done_this_week": "Try <b>{program}</b> for a different angle: you didn't do it this week.",
}
DIGEST_FOCUS_RATING = {"bond": "bond", "goals": "goals", "tasks": "tasks", "overall": "overall"}
DIGEST_START_BUTTON = "Start: {program}"

# The alliance trend chart (with the digest, /digest and /trend). Chart labels are plain text.
TREND_CHART_TITLE = "Alliance · last {weeks} weeks"
TREND_KEY_RUPTURE = "rupture"
TREND_KEY_REPAIR = "repair"
TREND_CAPTION_TITLE = "<b>Alliance over the last {weeks} weeks</b> · weekly check-in averages (1–5)"
TREND_CAPTION_WEEK = "{day}: {values}"
TREND_CAPTION_EVENTS = "ruptures {ruptures}, repaired {repairs}"
TREND_CAPTION_GAPS = "No check-in ratings in {empty} of the {weeks} weeks (gaps in the chart)."
TREND_NOT_YET = (
    "Your alliance chart appears once you have check-in ratings in at least two different "
    "weeks ({rated} so far in the last {weeks}). A /checkin after your next sessions will start it."
)
TREND_USAGE = "Send /trend for the last 12 weeks, or <code>/trend 26</code> for up to 26."
# (one, many)
DIGEST_REFLECTION_WORDS = ("reflection", "reflections")
DIGEST_PROMPT_WORDS = ("prompt", "prompts")
DIGEST_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DIGEST_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


# --- export ---------------------------------------------------------------------------------

# Replies to /export (Telegram HTML).
EXPORT_USAGE = (
    "<b>Export your journal</b> as a Markdown file:\n"
    "/export — everything\n"
    "/export week — this week\n"
    "/export 2026-09-01 2026-11-30 — between two dates (both included)\n"
    "/export concept <code>rupture-and-repair</code> — reflections that touch one concept\n"
    "/export program <code>post-session-checkin</code> — one program's reflections"
)
EXPORT_NOT_UNDERSTOOD = "I didn't understand “{typed}”.\n\n" + EXPORT_USAGE
EXPORT_BAD_DATE = (
    "I couldn't read “{typed}” as a date. Please write dates as year-month-day, "
    "for example <code>/export 2026-09-01 2026-11-30</code>."
)
EXPORT_ONE_DATE = (
    "Please give two dates, the first and the last day to include, for example "
    "<code>/export {typed} {today}</code>."
)
EXPORT_REVERSED = (
    "The first date comes after the second. Put the earlier date first, for example "
    "<code>/export {first} {second}</code>."
)
EXPORT_MISSING_CONCEPT = (
    "Which concept? For example <code>/export concept rupture-and-repair</code>. "
    "These are the concepts I know:\n{known}"
)
EXPORT_UNKNOWN_CONCEPT = (
    "I don't know a concept called “{typed}”. These are the ones I know:\n{known}"
)
EXPORT_MISSING_PROGRAM = (
    "Which program? For example <code>/export program post-session-checkin</code>. "
    "These are the programs:\n{known}"
)
EXPORT_UNKNOWN_PROGRAM = "I don't know a program called “{typed}”. These are the programs:\n{known}"
EXPORT_EMPTY_ALL = (
    "Your journal is still empty, so there is nothing to export yet. "
    "Send /checkin after a session, or /reflect, and it will start to fill."
)
EXPORT_EMPTY_RANGE = "You have no reflections from {start} to {end}, so there is nothing to export."
EXPORT_EMPTY_CONCEPT = "None of your reflections touch “{name}” yet, so there is nothing to export."
EXPORT_EMPTY_PROGRAM = "You have no “{title}” reflections yet, so there is nothing to export."
EXPORT_CAPTION = "Your journal, {start} to {end}: {reflections}."
EXPORT_ONE_REFLECTION = "1 reflection"
EXPORT_REFLECTIONS = "{count} reflections"
EXPORT_CAPTION_PART = "Your journal, {start} to {end} — part {part} of {parts}."
EXPORT_SPLIT_NOTE = "Your journal is large, so it comes in {parts} files, each complete on its own."

# Words inside the exported Markdown file. Plain text, not HTML; values are escaped by the
# renderer, and the words themselves must stay free of Markdown syntax.
EXPORT_DOC_TITLE = "Reflective practice journal"
EXPORT_DOC_PART = "part {part} of {parts}"
EXPORT_DOC_RANGE = "From {start} to {end}"
EXPORT_DOC_PROGRAM = "Program: {title}"
EXPORT_DOC_CONCEPT = "Concept: {name}"
EXPORT_DOC_ZONE = "Times in {zone}"
EXPORT_DOC_EXPORTED = "Exported {when}"
EXPORT_DOC_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EXPORT_DOC_INCOMPLETE = "incomplete"
EXPORT_DOC_IN_PROGRESS = "in progress"
EXPORT_DOC_TIME_SPENT = "Time spent: {minutes} min"
EXPORT_DOC_CONCEPTS = "Concepts: {links}"
EXPORT_DOC_SKIPPED = "Skipped"
EXPORT_DOC_NO_QUESTION = "(question not recorded)"
EXPORT_DOC_NO_TEXT = "No text"
EXPORT_DOC_EDITED = "(edited)"
EXPORT_DOC_RATING = "{rating}/{top}"
EXPORT_DOC_RATING_END = "{rating}/{top} — {label}"
EXPORT_DOC_RATING_SCALE = "{rating}/{top} — on a scale from {low} (1) to {high} ({top})"
EXPORT_DOC_GLOSSARY = "Glossary"
EXPORT_DOC_NOTE = "Note: {caveat}"
EXPORT_DOC_SOURCES = "Sources:"
EXPORT_DOC_SOURCE = "{document}: {title}"
EXPORT_DOC_SOURCE_PLACE = "section “{section}”, {lines}"
EXPORT_DOC_LINE = "line {lines}"
EXPORT_DOC_LINES = "lines {lines}"
EXPORT_DOC_CITES = "cites {references}"
EXPORT_DOC_OPEN_CARD = "Open this card in the bot"
EXPORT_DOC_TOTALS = "Totals"
EXPORT_DOC_TOTAL_REFLECTIONS = "Reflections: {count}"
EXPORT_DOC_TOTAL_MINUTES = "CPD minutes: {count}"
EXPORT_DOC_TOTAL_RUPTURES = "Ruptures reported: {count}"
EXPORT_DOC_TOTAL_REPAIRS = "Repair reflections completed: {count}"


# --- privacy and access ---------------------------------------------------------------------

STRANGER = (
    "Hello! This reflect-bot is private to one practice, and I don't recognise your account, "
    "so I haven't stored anything from this chat.\n\n"
    "If you were given an invite code, send <code>/start</code> followed by the code. "
    "Otherwise, please ask whoever runs this bot to add you."
)
STRANGER_BUTTON = "This bot is private to one practice."
INVITE_NOT_VALID = (
    "Sorry, that invite code isn't valid: it may have expired, or it has already been used. "
    "Please ask whoever invited you for a new one. Nothing from this chat has been stored."
)
ACCESS_UNAVAILABLE = (
    "Sorry, I can't check your access just now, so nothing you sent has been stored. "
    "Please try again in a moment."
)
UPDATE_NOT_HANDLED = (
    "Sorry, something went wrong before I could take that in, so it has not been stored. "
    "Please send it again in a moment."
)

NOTHING_TO_FORGET = "I don't hold anything about you, so there's nothing to erase."
FORGET_CONFIRM = (
    "<b>Erase everything I hold about you?</b>\n\n"
    "That is {reflections} reflection(s) with {answers}, {schedules} schedule(s), "
    "{digests} digest(s), your time zone and your consent. It cannot be undone.\n\n"
    "If you'd like a copy of your journal first, send /export, then /forget again.\n"
    "Messages already in this chat stay in Telegram until you delete the chat."
)
FORGET_BUTTON = "Erase everything"
KEEP_BUTTON = "Keep my journal"
FORGOTTEN = (
    "Done. Everything I held about you is erased from my database; only the service's "
    "backups, if it keeps any, hold an encrypted copy until they expire. "
    "Thank you for reflecting with me. If you ever want to start again, send /start."
)
FORGET_CALLED_OFF = "Alright, nothing has been erased."
FORGET_UNAVAILABLE = (
    "Sorry, I can't reach my storage just now. Please try /forget again in a moment."
)
FORGET_FAILED = (
    "Sorry, I couldn't erase your data just now, so nothing has changed yet. "
    "Please try /forget again in a moment."
)
IDENTIFYING_KINDS = {
    "email": "an email address",
    "phone": "a phone number",
    "record_number": "what looks like a record number",
    "date_of_birth": "what looks like a date of birth",
    "postcode": "what looks like a postcode",
    "address": "what looks like a street address",
    "school_or_workplace": "what looks like a named school or workplace",
    "client_name": "what looks like a client's name",
    "person_name": "what looks like someone's name",
    "combination": (
        "details (a place, a job, an age or a rare condition) that together could point to "
        "one person"
    ),
}
IDENTIFYING_FOUND = (
    "I've saved that answer as you sent it. I noticed {found} in it, though. "
    "Reflections are safest without anything that could identify a client: would you like "
    "to replace it with a version without those details? "
    "(You may also want to delete your message from this chat.)"
)
REPLACE_ANSWER_BUTTON = "Replace my answer"
KEEP_ANSWER_BUTTON = "Keep it as it is"
ANSWER_KEPT = "Kept as you sent it."
ASK_REPLACEMENT = (
    "Please send the new wording for that answer. I'll store it in place of the old one and "
    "delete the old one from my database."
)
ANSWER_REPLACED = (
    "Thank you. I've replaced that answer; the earlier wording is deleted. "
    "Carry on whenever you're ready."
)
REPLACE_NOT_SAVED = (
    "Sorry, I couldn't save that just now, so your answer is unchanged. "
    "Please try again in a moment."
)
REPLACE_GONE = "That answer no longer exists, so there was nothing to replace."
