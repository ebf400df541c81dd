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
    ("search", "Find reflections by meaning"),
    ("concepts", "Concept cards and their research"),
    ("programs", "What you can reflect on"),
    ("schedule", "When prompts arrive"),
    ("goals", "Your open learning goals"),
    ("supervision", "Your brief for supervision"),
    ("supervisor", "Invite your supervisor"),
    ("shared", "What you shared with your supervisor"),
    ("digest", "This week's digest"),
    ("trend", "Your alliance over the weeks, as a chart"),
    ("export", "Your journal as a file, or as portfolio evidence"),
    ("cpd", "Your CPD record, and logging an activity"),
    ("profile", "Your professional body's portfolio shape"),
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


# /help names the same support, for whenever a reflection (or the work) weighs heavy.
HELP_SUPPORT = "<b>If a reflection stirs up a lot:</b> support is there from {support}."


def support_named(support_text: str | None = None) -> str:
    """Whom to turn to: the deployment's own support (escaped) or the default."""
    support = escape(support_text.strip(), quote=False) if support_text else None
    return support or DEFAULT_SUPPORT_TEXT


def support_offer(support_text: str | None = None) -> str:
    """The support offer, naming the deployment's own support (escaped) or the default."""
    return SUPPORT_OFFER.format(support=support_named(support_text))


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


def help_text(support_text: str | None = None) -> str:
    """The /help message: every command with what it does, what the bot is not, and whom to
    turn to (`support_text`: the deployment's REFLECT_SUPPORT_TEXT, else the default)."""
    lines = ["<b>What I can do</b>", ""]
    lines += [f"/{name} — {description}" for name, description in COMMANDS]
    lines += ["", "Your answers are encrypted at rest; /forget erases everything."]
    lines += ["", WHAT_I_AM_NOT]
    lines += ["", HELP_SUPPORT.format(support=support_named(support_text))]
    return "\n".join(lines)


# --- voice notes (transcribed on this deployment's own machine; issue #22) -------------------

TRANSCRIBING = "Transcribing… I'll show you what I heard before anything is saved."
TRANSCRIBING_SLOW = (
    "Transcribing… Other notes are still waiting, so this may take a while. "
    "Your note is kept safely until then, and nothing is saved before you check the words."
)
VOICE_OFF = (
    "I can't transcribe voice notes here yet — could you type your answer instead? "
    "Nothing has been saved."
)
VOICE_TOO_LONG = (
    "That note is longer than I can transcribe here (up to {minutes} min). "
    "Could you send a shorter one, or type your answer? Nothing was saved, and your "
    "reflection is where you left it."
)
HEARD = "<b>Here's what I heard:</b>\n\n{text}\n\nSave it as your answer, or edit or discard it."
HEARD_OUTSIDE = (
    "<b>Here's what I heard:</b>\n\n{text}\n\n"
    "No reflection is open, so I haven't kept it yet. Add it to the note of your latest "
    "check-in, or start one with /checkin or /reflect and tap <b>Edit</b> to use these words "
    "as an answer — or discard them."
)
CHECKIN_NOTE_BUTTON = "Add to my latest check-in's note"
ADDED_TO_CHECKIN = "Added to the last note of your <b>{title}</b>; you'll find it in /journal."
NO_RECENT_CHECKIN = (
    "There's no check-in from the last day to add it to. The words are still here: start "
    "one with /checkin, or tap <b>Edit</b> to copy them."
)
SAVE_TRANSCRIPT_BUTTON = "Save"
EDIT_TRANSCRIPT_BUTTON = "Edit"
DISCARD_TRANSCRIPT_BUTTON = "Discard"
EDIT_TRANSCRIPT = (
    "Here are the words to correct — copy them, change what you like and send them as a "
    "message; I'll save what you send as your answer:\n\n<code>{text}</code>"
)
EDIT_TRANSCRIPT_OUTSIDE = (
    "Here are the words to copy — send them as your answer once a reflection asks:"
    "\n\n<code>{text}</code>"
)
TRANSCRIPT_SAVED_MARK = "\n\n✓ Saved as your answer."
TRANSCRIPT_ADDED_MARK = "\n\n✓ Added to your check-in."
TRANSCRIPT_EDITING_MARK = "\n\n✎ Editing."
TRANSCRIPT_DISCARDED = "Discarded — nothing from that voice note was kept."
TRANSCRIPT_MOVED_ON = (
    "That question has already moved on, so I didn't save these words. Here they are to "
    "copy:\n\n<code>{text}</code>"
)
TRANSCRIPT_GONE = "That transcript has already been saved, edited or discarded."
TRANSCRIBE_FAILED = {
    "too_long": VOICE_TOO_LONG,
    "unreadable": (
        "I couldn't read that audio file. Could you send it as a voice note, or type your "
        "answer? Nothing was saved, and your reflection is where you left it."
    ),
    "language": (
        "That sounded like a language I can't transcribe here yet. Could you type your "
        "answer instead? Nothing was saved, and your reflection is where you left it."
    ),
    "silent": (
        "I couldn't hear any words in that note. Could you try again, or type your answer? "
        "Your reflection is where you left it."
    ),
    "gave_up": (
        "Sorry — I tried several times and couldn't transcribe that note. Could you type your "
        "answer instead? Nothing was saved, and your reflection is where you left it."
    ),
}

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


# --- concepts recognised by meaning ---------------------------------------------------------
# After a reflection: the concept cards its answers seemed to touch, to keep or remove.
SUGGESTED_CONCEPTS = (
    "<b>This seemed to touch on:</b> {names}\n"
    "Keep the ones that fit: they're stored with this reflection, for your digest and export."
)
SUGGESTION_KEEP_BUTTON = "Keep: {name}"
SUGGESTION_KEPT_BUTTON = "✓ {name}"
SUGGESTION_REMOVE_BUTTON = "✕ Remove"
SUGGESTION_REMOVED_BUTTON = "✕ Removed"
SUGGESTION_KEPT = "Kept with this reflection."
SUGGESTION_REMOVED = "Removed."
# /search: one's own reflections by meaning.
SEARCH_USAGE = (
    "Send /search with a few words, for example "
    "<code>/search she went quiet after the homework</code>. I'll find the reflections "
    "closest in meaning, not only those using the same words."
)
SEARCH_NOTHING = "None of your reflections came close to “{query}”."
SEARCH_HEADER = "<b>Closest to “{query}”</b>\nTap a number to open one."
SEARCH_LINE = "<b>{number}.</b> {date} · {title}\n<i>{excerpt}</i>"
SEARCH_WHEN = "{weekday} {day} {month} {year}"
SEARCH_UNAVAILABLE = "Sorry, searching isn't available just now. Please try again later."
SUGGESTION_STALE = "That reflection is no longer in your journal."
SUGGESTION_NOT_SAVED = "Sorry, I couldn't store that just now. Please press it again in a moment."
# --- learning goals (goals that come back) -------------------------------------------------

GOAL_OFFER = (
    "You decided:\n<blockquote>{text}</blockquote>\n"
    "Shall I ask you how it went? I'll bring it back at this time of day."
)
GOAL_IN_WEEKS = "In {weeks} week{plural}"
GOAL_NO_FOLLOW_UP = "No follow-up"
GOAL_FOLLOW_UP_SET = "I'll ask you how it went on {day}. /goals lists your open goals."
GOAL_NO_FOLLOW_UP_SET = "No follow-up, then. The goal stays open in /goals."
GOAL_FOLLOW_UP = (
    "<b>A goal comes back</b> · set {set_on} in {title}\n<blockquote>{text}</blockquote>\n"
    "Did you try it?"
)
GOAL_TRIED_BUTTON = "I tried it"
GOAL_NOT_YET_BUTTON = "Not yet"
GOAL_WHAT_HAPPENED = "What happened, and what now? A sentence or two is plenty."
GOAL_WHAT_GOT_IN_THE_WAY = "What got in the way, and what now? A sentence or two is plenty."
GOAL_CHECK_IN_SAVED = "Saved with your goal. What would you like to do with it?"
GOAL_KEEP_BUTTON = "Keep it"
GOAL_CHANGE_BUTTON = "Change it"
GOAL_CLOSE_BUTTON = "Close it"
GOAL_NEW_WORDS = "How would you put it now? Send the goal in your own words."
GOAL_WHEN_AGAIN = "When shall I ask again?\n<blockquote>{text}</blockquote>"
GOAL_CLOSED = "Closed. It stays in your /export with what you learned from it."
GOAL_GONE = "That goal is no longer waiting for an answer, so nothing was saved."
GOALS_NONE = (
    "You have no open goals. When a reflection asks what you will try next, "
    "your answer becomes one."
)
GOALS_HEADER = "<b>Your open goals</b>"
GOALS_LINE = "<b>{number}.</b> {text}\n<i>{title}, {set_on} · {next}</i>"
GOALS_NEXT = "next follow-up {day}"
GOALS_NO_NEXT = "no follow-up set"
GOALS_OVERDUE = "its follow-up on {day} went unanswered"
GOALS_AGAIN_BUTTON = "Bring {number} back in a week"
GOAL_DAY = "{weekday} {day} {month}"  # e.g. "Mon 9 Nov"


# --- supervision (the brief, marks and logged sessions) ------------------------------------

TAKE_TO_SUPERVISION_BUTTON = "🗂 Take to supervision"
MARKED_FOR_SUPERVISION = "Marked for supervision. /supervision builds your brief."
ALREADY_MARKED = "Already marked for supervision."
BRIEF_EMPTY = (
    "Nothing is marked for supervision yet. Tap “Take to supervision” when a reflection is "
    "saved, or on one opened in /journal."
)
BRIEF_EMPTY_SINCE = "Nothing is marked for supervision since your last session on {day}."
BRIEF_TITLE = "<b>For supervision</b> · {count} {reflections}"
BRIEF_SINCE = " since {day}"
BRIEF_ITEM = "<b>{day} · {title}</b>"
BRIEF_SENTENCE = "<blockquote>{text}</blockquote>"
BRIEF_RATINGS = "Ratings: {ratings}"
BRIEF_RATING = "{name} {rating}/5"
BRIEF_RUPTURE = "Rupture: {rupture}"
BRIEF_ASK = "<b>What I want to ask:</b>\n…"
BRIEF_FILE_CAPTION = "Your brief as a Markdown file, to add your questions and take along."
BRIEF_LOG_BUTTON = "I've had supervision"
BRIEF_REFLECTION_WORDS = ("reflection", "reflections")
SESSION_KIND_QUESTION = "What kind of session was it? (Logged for today.)"
SESSION_KINDS = {"supervision": "Supervision", "peer": "Peer consultation"}
SESSION_MINUTES_QUESTION = "{kind}: how long was it?"
SESSION_MINUTES_BUTTON = "{minutes} min"
SESSION_LOGGED = (
    "Logged: {kind}, {minutes} min, for your CPD record. {cleared} The next brief starts afresh."
)
SESSION_CLEARED = "Cleared {count} {reflections} from the brief."
BRIEF_DOC_TITLE = "For supervision"
BRIEF_DOC_SINCE = "Marked since {day}."
BRIEF_DOC_ASK = "What I want to ask"
BRIEF_DOC_RATINGS = "Ratings:"
BRIEF_DOC_RUPTURE = "Rupture: {rupture}"
BRIEF_DOC_IN_MY_WORDS = "In my words:"


# --- sharing with a supervisor (consented, withdrawable) -----------------------------------

SUPERVISOR_INVITE = (
    "Send this link to your supervisor. It works once, within 24 hours:\n{link}\n\n"
    "When they accept, I'll tell you. Nothing is shared until you press "
    "“Share with my supervisor” on a reflection, and you can withdraw anything you shared."
)
SUPERVISOR_LINKED = (
    "You share with a supervisor. Nothing goes to them unless you press "
    "“Share with my supervisor”; /shared lists what you shared."
)
END_LINK_BUTTON = "End sharing"
INVITE_PREVIEW = (
    "<b>{name}</b> invites you to be their supervisor in reflect-bot.\n\n"
    "You'll see only the reflections they choose to share with you, only while this link "
    "lasts, and they can withdraw them. Reply to a shared reflection to comment on it."
)
INVITE_SOMEONE = "A clinician"
ACCEPT_INVITE_BUTTON = "Accept"
INVITE_INVALID = (
    "This invite link isn't valid: it may have expired or been used already. Ask for a new one."
)
SUPERVISOR_ACCEPTED = (
    "You're now {name}'s supervisor here. Reflections they share will arrive in this chat."
)
CLINICIAN_TOLD_ACCEPTED = (
    "<b>{name}</b> accepted your invite and is now your supervisor here. Nothing is shared "
    "until you press “Share with my supervisor”. Not who you expected? Cancel:"
)
SHARE_BUTTON = "👥 Share with my supervisor"
SHARED_COPY_HEADER = (
    "<b>Shared with you by {name}</b> · {title}, {day}\n<i>Reply to this message to comment.</i>"
)
SHARED_DONE = "Shared with your supervisor. /shared lists it, and you can withdraw it there."
NO_SUPERVISOR = "You have no supervisor linked: /supervisor makes an invite link."
ALREADY_SHARED = "Already shared with your supervisor."
SHARE_FAILED = "I couldn't send that to your supervisor, so nothing was shared."
SUPERVISOR_COMMENT = (
    "<b>Your supervisor commented</b> on {title} ({day}):\n<blockquote>{text}</blockquote>"
)
JOURNAL_SUPERVISOR_COMMENT = "Your supervisor's comment"
COMMENT_PASSED_ON = "Passed on, and kept with the reflection while it stays shared."
SHARED_NONE = "Nothing is shared with a supervisor."
SHARED_TITLE = "<b>Shared with your supervisor</b>"
SHARED_LINE = "<b>{number}.</b> {day} · {title}{comments}"
SHARED_COMMENTS = " · {count} comment{plural}"
WITHDRAW_BUTTON = "Withdraw {number}"
WITHDRAWN = "Withdrawn: your supervisor's copy and any comments on it are gone."
WITHDRAWN_COPY = "<i>The author withdrew this reflection.</i>"
LINK_ENDED = "Sharing has ended; everything shared over it was withdrawn."
LINK_ENDED_OTHER = "A supervision link has ended; everything shared over it was withdrawn."
FORGET_ALSO = (
    "\n\nIt also erases your learning goals and their follow-ups, your supervision marks and "
    "sessions, ends any supervision link and withdraws everything shared over it first."
)
SUPERVISOR_FORGOTTEN = (
    "Done: your supervision links have ended and everything shared with you is gone."
)


# --- schedules and prompts ------------------------------------------------------------------

DAY_NAMES: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES_PLURAL: tuple[str, ...] = (
    "Mondays",
    "Tuesdays",
    "Wednesdays",
    "Thursdays",
    "Fridays",
    "Saturdays",
    "Sundays",
)
MONTH_NAMES: tuple[str, ...] = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
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
SCHEDULE_ZONE_UNKNOWN = (
    "I no longer recognise the time zone I have for you ({zone}), so I can't time your "
    "prompts. Please tell me your time zone again: /timezone"
)

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
DIGEST_GOALS_TITLE = "<b>Your goals</b>"
DIGEST_GOAL_DUE = "• Coming back {day}: {text}"
DIGEST_GOAL_CLOSED = "• Closed this week: {text}"
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
    "/export program <code>post-session-checkin</code> — one program's reflections\n\n"
    "<b>As portfolio evidence</b>, laid out under your professional body's headings:\n"
    "/export nmc — reflective accounts for the NMC, as Markdown\n"
    "/export nmc docx — the same as a Word document (also hcpc, gmc, bacp, psyba)\n"
    "/export cpd csv — your CPD log as a spreadsheet\n"
    "Dates, <code>week</code>, <code>concept</code> and <code>program</code> work after these "
    "too, e.g. <code>/export nmc docx 2026-01-01 2026-12-31</code>."
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
# The concepts a reflection touched by meaning, each with the sentence that carried it.
EXPORT_DOC_TOUCHED = "Touched on: {items}"
EXPORT_DOC_TOUCHED_ITEM = "{link} — “{words}”"
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
EXPORT_DOC_SUPERVISOR_SAID = "Your supervisor's comment:"
EXPORT_DOC_GOALS = "Learning goals"
EXPORT_DOC_GOAL_HEADING = "Goal set {day}"
EXPORT_DOC_GOAL_SET = "Set in {title}"
EXPORT_DOC_GOAL_OPEN = "open, no follow-up set"
EXPORT_DOC_GOAL_NEXT = "open, next follow-up {day}"
EXPORT_DOC_GOAL_CLOSED = "closed {day}"
EXPORT_DOC_CHECK_IN = "Follow-up {day}: {tried}"
EXPORT_DOC_TRIED = "tried it"
EXPORT_DOC_NOT_TRIED = "not yet"
EXPORT_DOC_OUTCOMES = {"kept": "kept", "changed": "changed", "closed": "closed"}
EXPORT_DOC_TOTALS = "Totals"
EXPORT_DOC_TOTAL_REFLECTIONS = "Reflections: {count}"
EXPORT_DOC_TOTAL_MINUTES = "CPD minutes: {count}"
EXPORT_DOC_TOTAL_RUPTURES = "Ruptures reported: {count}"
EXPORT_DOC_TOTAL_REPAIRS = "Repair reflections completed: {count}"


# --- portfolio evidence and CPD -------------------------------------------------------------

# /profile and the one-time offer (Telegram HTML).
PROFILE_ASK = (
    "<b>Do you keep a portfolio for a professional body?</b>\n"
    "Pick yours and I'll lay your reflections out under its headings when you export them, "
    "and count your CPD against what it asks for. You can change this any time with /profile."
)
PROFILE_CURRENT = "Your portfolio profile: <b>{label}</b> ({body}).\n\n" + "Change it below."
PROFILE_NONE_YET = "You have no portfolio profile yet. Pick one below, or none."
PROFILE_BUTTON_NONE = "None for now"
PROFILE_SET = (
    "Done: your reflections will be laid out as <b>{label}</b> evidence. "
    "Try /export {profile_id} docx, or /cpd to see your CPD record."
)
PROFILE_CLEARED = "Done: no portfolio profile. /export still gives your journal as Markdown."
PROFILE_UNKNOWN = "I don't know that profile. These are the ones I know:\n{known}"

# Buttons under the exported journal: the other shapes it comes in.
EXPORT_AS_BUTTON = "{label} · {format}"
EXPORT_CPD_BUTTON = "CPD log · CSV"
EXPORT_PROFILE_BUTTON = "Choose a portfolio profile"
EXPORT_FORMAT_NAMES = {"md": "Markdown", "docx": "Word", "csv": "CSV"}
EXPORT_FORMAT_NOT_OFFERED = (
    "“{typed}” isn't a format I make for that. Reflective accounts come as Markdown or "
    "<code>docx</code>, the CPD log as <code>csv</code>, the journal as Markdown.\n\n"
    "For a Word document, name your body first, e.g. <code>/export nmc docx</code>, "
    "or choose a profile with /profile."
)
EXPORT_EVIDENCE_CAPTION = "{label} reflective accounts, {start} to {end}: {reflections}."
EXPORT_CPD_CAPTION = "Your CPD log, {start} to {end}: {minutes} minutes in {count} entries."
EXPORT_CPD_EMPTY = "Your CPD log is empty for those dates. Reflections and /cpd add to it."
# Listed before evidence goes out, so identifying details are fixed before it is uploaded.
EXPORT_FLAGGED = (
    "<b>Before you upload:</b> these answers may hold details that could identify someone. "
    "Bodies ask for accounts that identify no one. Edit your message in this chat to change "
    "an answer, then export again.\n{entries}"
)
EXPORT_CHOICES_MISSING = (
    "{count} of these accounts still need an answer to “{heading}”. "
    "/cpd lists them with a button for each; then export again."
)
EXPORT_FLAGGED_ENTRY = "• {when} · {title}: “{question}” — {found}"

# Words inside the evidence documents (Markdown and Word). Plain text, no markup.
EVIDENCE_DOC_TITLE = "Reflective accounts: {label}"
EVIDENCE_DOC_SHAPE = "Laid out under the headings of: {document} ({url})"
EVIDENCE_DOC_CHECKED = "Headings checked: {checked} ({note})."
EVIDENCE_DOC_ACCOUNT = "Account {number}: {when} · {title}"
EVIDENCE_DOC_NOT_CHOSEN = "Not chosen yet: {question}"
EVIDENCE_DOC_NOTHING = "Nothing under this heading yet."
EVIDENCE_DOC_LACKS = "Before you submit this account: {gaps}."
EVIDENCE_GAP_UNFINISHED = "finish the reflection"
EVIDENCE_GAP_HEADING = "add something under “{heading}”"
EVIDENCE_GAP_CHOICE = "answer “{heading}”"

# /cpd (Telegram HTML).
CPD_KIND_NAMES = {
    "reflection": "Reflection",
    "course": "Course",
    "reading": "Reading",
    "supervision": "Supervision",
    "peer_consultation": "Peer consultation",
}
CPD_USAGE = (
    "<b>Add to your CPD record</b>: /cpd add, then the kind, the time and a title.\n"
    "<code>/cpd add course 90 Working with ruptures</code>\n"
    "<code>/cpd add supervision 1h30 Monthly group</code>\n"
    "Kinds: course, reading, supervision, peer consultation. Reflections are logged for you. "
    "Titles are stored encrypted, like your answers, and /forget erases them."
)
CPD_ADDED = "Logged: {kind}, {minutes} min — “{title}” ({day})."
CPD_PROBLEM_KIND = "Which kind was it? Use course, reading, supervision or peer consultation.\n\n"
CPD_PROBLEM_MINUTES = (
    "I couldn't read the time. Write minutes (<code>90</code>) or hours and minutes "
    "(<code>1h30</code>), up to a day.\n\n"
)
CPD_PROBLEM_TITLE = "Please add a short title (up to 200 characters) after the time.\n\n"
CPD_HEADER = "<b>Your CPD record</b>, {since} to {until}"
CPD_TOTAL = "{minutes} min logged ({hours})"
CPD_BY_KIND = "• {kind}: {minutes} min"
CPD_REQUIREMENT = (
    "{label} asks for {required} min ({required_hours}) over {years}: {remaining} min to go."
)
CPD_REQUIREMENT_MET = "{label} asks for {required} min ({required_hours}) over {years}: done."
CPD_PART = "Of these, {kind}: {minutes} of {required} min."
CPD_SOURCE = "Source: {source}. {link}"
CPD_CHECK_RULES = (
    "<i>Counted over the last {years} up to today, not your own renewal dates: check your "
    "body's current rules.</i>"
)
CPD_NO_REQUIREMENT = "{label}: {note}"
CPD_NO_PROFILE = "Choose a portfolio profile with /profile to see progress against its rules."
CPD_READY_HEADER = "<b>Ready to become accounts</b> ({label}):"
CPD_READY_NONE = "None yet."
CPD_NEEDS_HEADER = "<b>Still lacking something:</b>"
CPD_ENTRY = "• {when} · {title}"
CPD_ENTRY_LACKS = "• {when} · {title}: {gaps}"
CPD_MORE = "…and {count} more."
CPD_EXPORT_HINT = "/export cpd csv gives the whole log; /cpd add logs an activity."
CPD_CHOICE_BUTTON = "{heading} · {when} {title}"
# A profile's choice about one reflection (e.g. the NMC Code themes).
CHOICE_ASK = "<b>{title}</b>\n{question}"
CHOICE_SEVERAL_HINT = "Press each that applies, then Done."
CHOICE_PICKED = "✓ {label}"
CHOICE_DONE_BUTTON = "Done"
CHOICE_SAVED = "Saved for this reflection: {labels}."
CHOICE_NONE_SAVED = "Nothing picked yet for this reflection."
CPD_YEARS = "{count} years"
CPD_ONE_YEAR = "a year"  # "asks for … over a year"
CPD_LAST_YEAR = "year"  # "counted over the last year"

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

# --- answers kept with identifying details (listed before an export, and in /journal) -------

# An answer the check flagged and the clinician kept is never quoted (digest, supervision
# brief); before an export, and when its reflection is opened, the clinician is reminded.
FLAGGED_BEFORE_EXPORT = (
    "<b>Before your file:</b> {answers} in it seemed to hold details that could identify a "
    "client, and {were} kept. I never quote {them} in your digest or anywhere else; the "
    "file is yours and has {them} as written.\n\n{entries}\n\n"
    "To take the details out, tap <b>Replace</b> below, or open the reflection in /journal, "
    "and send a new wording: the old one is deleted for good."
)
FLAGGED_IN_JOURNAL = (
    "{answers} here seemed to hold details that could identify a client, and {were} kept as "
    "written, so I never quote {them}.\n\n{entries}\n\n"
    "To take the details out, tap <b>Replace</b> and send a new wording: the old one is "
    "deleted for good."
)
FLAGGED_ENTRY = "{number}. {date} · {title}: “{question}”"
FLAGGED_MORE = "…and {count} more, listed once you've replaced some of these."
FLAGGED_REPLACE_BUTTON = "Replace {number}"


def flagged_were(count: int) -> dict[str, str]:
    """The words that agree with how many answers were kept: "it was" or "they were"."""
    return {"were": "it was", "them": "it"} if count == 1 else {"were": "they were", "them": "them"}
