"""Tables for the whole product. Later work adds columns, not redesigns.

Free text a clinician types is always `EncryptedText`; ratings and choice ids stay plain so
digests can aggregate them in SQL.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field, SQLModel

from reflect_bot.db.types import EncryptedText, UTCDateTime


class _Table(SQLModel):
    """What every table is built on.

    Rows come from the database or from our own code; SQLModel builds a table's instances
    without pydantic's validation, and nothing serialises them through pydantic. The
    validator and serializer pydantic would compile for each table at import are therefore
    built only if something asks for them (≈ 0.4 MB of the bot, bench P5).
    """

    model_config = {"defer_build": True}


def _fk(target: str, *, nullable: bool = False) -> Column[int]:
    # Cascading deletes make /forget one statement and keep rows from outliving their owner.
    return Column(Integer, ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=True)


class Clinician(_Table, table=True):
    """A person using the bot in a private chat."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_type=BigInteger, unique=True)
    chat_id: int = Field(sa_type=BigInteger)
    display_name: str | None = Field(default=None, sa_type=EncryptedText)
    consented_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    timezone: str | None = Field(default=None, max_length=64)
    # What free text is expected outside a reflection (e.g. "timezone"); None when nothing.
    awaiting: str | None = Field(default=None, max_length=32)
    # False once Telegram says the bot was blocked (403); schedules stop until they return.
    reachable: bool = Field(default=True)
    paused_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    name_in_export: bool = Field(default=False)
    # The portfolio profile (prompts/profiles/<id>.toml) exports and /cpd follow; None: none.
    portfolio_profile: str | None = Field(default=None, max_length=40)
    # Asked once, optionally: True once the clinician was offered a profile, picked or not.
    profile_asked: bool = Field(default=False)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Schedule(_Table, table=True):
    """A recurring prompt (or the weekly digest) at a local time on chosen weekdays."""

    id: int | None = Field(default=None, primary_key=True)
    clinician_id: int = Field(sa_column=_fk("clinician.id"))
    kind: str = Field(default="prompt", max_length=16)  # "prompt" | "digest"
    program_id: str | None = Field(default=None, max_length=40)  # None: rotate through programs
    weekdays: int = Field(default=0b0011111)  # bit 0 = Monday … bit 6 = Sunday (ISO order)
    local_time: time
    active: bool = Field(default=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Delivery(_Table, table=True):
    """One planned send of a schedule on one local date; the scheduler's memory."""

    __table_args__ = (
        UniqueConstraint("clinician_id", "schedule_id", "local_date", name="uq_delivery_once"),
        Index("ix_delivery_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    clinician_id: int = Field(sa_column=_fk("clinician.id"))
    schedule_id: int = Field(sa_column=_fk("schedule.id"))
    local_date: date
    kind: str = Field(default="prompt", max_length=16)
    program_id: str | None = Field(default=None, max_length=40)
    due_at: datetime = Field(sa_type=UTCDateTime)
    # pending → claimed → sent | missed | skipped | failed (see delivery/README in sender.py)
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=64)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)


# At most one reflection in progress per clinician, enforced by the database: a partial
# unique index. SQLAlchemy spells an index's WHERE per dialect, and naming a dialect's option
# imports that dialect, so the PostgreSQL spelling is added by add_postgresql_options() only
# where the schema is written or compared (Alembic): a SQLite process never loads
# SQLAlchemy's PostgreSQL dialect (≈ 2.4 MB), and the bot only reads and writes rows.
_IN_PROGRESS = "status = 'in_progress'"
_ONE_OPEN_INDEX = Index(
    "uq_reflection_one_open", "clinician_id", unique=True, sqlite_where=text(_IN_PROGRESS)
)


def add_postgresql_options() -> None:
    """Gives the partial index its PostgreSQL WHERE (idempotent).

    Call it before anything creates or compares the schema: Alembic's env.py does, whatever
    the database, since the migrations it writes serve both.
    """
    _ONE_OPEN_INDEX.dialect_kwargs["postgresql_where"] = text(_IN_PROGRESS)


class Reflection(_Table, table=True):
    """One run through a program; in progress until completed, cancelled or timed out."""

    __table_args__ = (
        _ONE_OPEN_INDEX,
        Index("ix_reflection_clinician_started", "clinician_id", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    clinician_id: int = Field(sa_column=_fk("clinician.id"))
    program_id: str = Field(max_length=40)
    program_title: str = Field(max_length=200)  # snapshot: content edits never rewrite history
    status: str = Field(
        default="in_progress", max_length=16
    )  # in_progress|completed|incomplete|discarded
    current_step: str | None = Field(default=None, max_length=24)
    # The bot message that asked the current question; stale buttons are recognised by it.
    question_message_id: int | None = Field(default=None, sa_type=BigInteger)
    delivery_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("delivery.id", ondelete="SET NULL"), nullable=True),
    )
    started_at: datetime = Field(sa_type=UTCDateTime)
    last_activity_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    seconds_spent: int = Field(default=0)  # CPD time, from start to the last answer


class Answer(_Table, table=True):
    """A clinician's answer to one step, with the question as it was asked."""

    __table_args__ = (UniqueConstraint("reflection_id", "step_id", name="uq_answer_step"),)

    id: int | None = Field(default=None, primary_key=True)
    reflection_id: int = Field(sa_column=_fk("reflection.id"))
    step_id: str = Field(max_length=24)
    position: int  # order within the reflection
    question: str = Field(sa_type=EncryptedText)
    kind: str = Field(max_length=16)  # text | rating | choice | skipped
    text: str | None = Field(default=None, sa_type=EncryptedText)
    rating: int | None = Field(default=None)
    choice: str | None = Field(default=None, max_length=16)
    choice_label: str | None = Field(default=None, sa_type=EncryptedText)
    # The clinician's message holding a text answer, so an edit of it updates this row.
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    answered_at: datetime = Field(sa_type=UTCDateTime)
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: The identifying-details check flagged this text and it was kept as it is (kept, or
    #: the offer to replace it ignored): never quoted anywhere but the clinician's own
    #: journal (digest excerpts, supervision briefs), and listed before an export. Cleared
    #: when the text is replaced or edited clean. Queries that quote answers filter on
    #: `db.repositories.reflections.quotable()`.
    identifying_flagged: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class ReflectionConcept(_Table, table=True):
    """A concept card a completed reflection carried by meaning, and what the clinician made
    of it when it was suggested: kept (True), removed (False) or not said (None).

    Slugs and numbers only, no words: the excerpt is cut from the answer at `position`, its
    sentence number `sentence`, when a digest or export shows it.
    """

    __tablename__ = "reflection_concept"

    reflection_id: int = Field(
        sa_column=Column(Integer, ForeignKey("reflection.id", ondelete="CASCADE"), primary_key=True)
    )
    slug: str = Field(max_length=40, primary_key=True)
    kept: bool | None = Field(default=None)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # when decided
    position: int = Field(default=0)  # the answer that carried it
    sentence: int = Field(default=0)  # its sentence that carried it


class AnswerRevision(_Table, table=True):
    """An earlier version of an answer the clinician later edited."""

    __tablename__ = "answer_revision"

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(sa_column=_fk("answer.id"))
    text: str | None = Field(default=None, sa_type=EncryptedText)
    replaced_at: datetime = Field(sa_type=UTCDateTime)


class CpdActivity(_Table, table=True):
    """A CPD activity the clinician logged with /cpd (reflections are counted from their own
    rows). The title is the clinician's words, so it is encrypted like an answer."""

    __tablename__ = "cpd_activity"
    __table_args__ = (Index("ix_cpd_activity_clinician_done", "clinician_id", "done_on"),)

    id: int | None = Field(default=None, primary_key=True)
    clinician_id: int = Field(sa_column=_fk("clinician.id"))
    kind: str = Field(max_length=24)  # catalog.CpdKind other than reflection
    title: str = Field(sa_type=EncryptedText)
    minutes: int
    done_on: date  # the clinician's local date
    created_at: datetime = Field(sa_type=UTCDateTime)


class EvidenceChoice(_Table, table=True):
    """What the clinician picked for one of their profile's choices about one reflection
    (e.g. the NMC Code themes): option ids of the profile, comma-separated."""

    __tablename__ = "evidence_choice"
    __table_args__ = (
        UniqueConstraint("reflection_id", "profile_id", "choice_id", name="uq_evidence_choice"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reflection_id: int = Field(sa_column=_fk("reflection.id"))
    profile_id: str = Field(max_length=40)
    choice_id: str = Field(max_length=24)
    options: str = Field(max_length=200)
    chosen_at: datetime = Field(sa_type=UTCDateTime)


class Digest(_Table, table=True):
    """The weekly digest of one clinician for one ISO week (week_start is its local Monday)."""

    __table_args__ = (UniqueConstraint("clinician_id", "week_start", name="uq_digest_week"),)

    id: int | None = Field(default=None, primary_key=True)
    clinician_id: int = Field(sa_column=_fk("clinician.id"))
    week_start: date
    delivery_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("delivery.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LearningGoal(_Table, table=True):
    """What a clinician decided to try (their answer to an action step), brought back to them
    on a follow-up date of their choosing. Its text is their words: encrypted, erased by /forget.
    """

    __tablename__ = "learning_goal"
    __table_args__ = (Index("ix_learning_goal_follow_up", "status", "follow_up_on"),)

    id: int | None = Field(default=None, primary_key=True)
    clinician_id: int = Field(sa_column=_fk("clinician.id"))
    reflection_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("reflection.id", ondelete="SET NULL"), nullable=True),
    )
    program_title: str = Field(max_length=200)  # snapshot, like Reflection.program_title
    text: str = Field(sa_type=EncryptedText)
    status: str = Field(default="open", max_length=16)  # open | closed
    # The local date and time of day the follow-up is due; None: no follow-up (yet).
    follow_up_on: date | None = Field(default=None)
    follow_up_time: time | None = Field(default=None)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class GoalCheckIn(_Table, table=True):
    """A follow-up answered: did they try it, what happened and what now, and what became of
    the goal (kept, changed or closed)."""

    __tablename__ = "goal_check_in"

    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = Field(sa_column=_fk("learning_goal.id"))
    asked_on: date  # the follow-up date it answers
    tried: bool
    text: str | None = Field(default=None, sa_type=EncryptedText)
    outcome: str | None = Field(default=None, max_length=16)  # kept | changed | closed
    created_at: datetime = Field(sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SupervisionMark(_Table, table=True):
    """A reflection the clinician marked "take to supervision"; the next brief lists it.
    Logging a supervision session clears the marks (deletes these rows)."""

    __tablename__ = "supervision_mark"
    __table_args__ = (UniqueConstraint("reflection_id", name="uq_supervision_mark_reflection"),)

    id: int | None = Field(default=None, primary_key=True)
    clinician_id: int = Field(sa_column=_fk("clinician.id"))
    reflection_id: int = Field(sa_column=_fk("reflection.id"))
    marked_at: datetime = Field(sa_type=UTCDateTime)


class SupervisionSession(_Table, table=True):
    """A supervision or peer-consultation session the clinician logged (for CPD): no words,
    only its local date, length and kind."""

    __tablename__ = "supervision_session"

    id: int | None = Field(default=None, primary_key=True)
    clinician_id: int = Field(sa_column=_fk("clinician.id"))
    held_on: date
    minutes: int
    kind: str = Field(max_length=16)  # supervision | peer
    created_at: datetime = Field(sa_type=UTCDateTime)


class SupervisorLink(_Table, table=True):
    """A clinician's consent to share with one supervisor: a one-time invite (only its hash
    stored, valid 24 h) until the supervisor accepts, then active until either side ends it.
    The supervisor is known only by their Telegram ids; they need not be a clinician."""

    __tablename__ = "supervisor_link"

    id: int | None = Field(default=None, primary_key=True)
    clinician_id: int = Field(sa_column=_fk("clinician.id"))
    code_hash: str | None = Field(default=None, max_length=64, unique=True)  # None once used
    invite_expires_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="invited", max_length=16)  # invited | active
    supervisor_user_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    supervisor_chat_id: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SharedReflection(_Table, table=True):
    """One reflection its author pressed "Share" on, as sent to their supervisor: the
    messages in the supervisor's chat (to delete or mark withdrawn) and when they went."""

    __tablename__ = "shared_reflection"
    __table_args__ = (
        UniqueConstraint("link_id", "reflection_id", name="uq_shared_reflection_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(sa_column=_fk("supervisor_link.id"))
    reflection_id: int = Field(sa_column=_fk("reflection.id"))
    message_ids: str = Field(max_length=200)  # the supervisor's copies, comma-separated
    sent_at: datetime = Field(sa_type=UTCDateTime)


class SupervisorComment(_Table, table=True):
    """The supervisor's reply to a shared reflection: their words, kept with it, encrypted,
    and gone when the reflection is withdrawn."""

    __tablename__ = "supervisor_comment"

    id: int | None = Field(default=None, primary_key=True)
    shared_id: int = Field(sa_column=_fk("shared_reflection.id"))
    text: str = Field(sa_type=EncryptedText)
    created_at: datetime = Field(sa_type=UTCDateTime)


class ProcessedUpdate(_Table, table=True):
    """Telegram update ids already handled, so a redelivered update is processed once."""

    __tablename__ = "processed_update"

    update_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    processed_at: datetime = Field(sa_type=UTCDateTime, index=True)


class Invite(_Table, table=True):
    """A one-time invite code for a clinic deployment; only its hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    redeemed_by: int | None = Field(default=None, sa_type=BigInteger)
    redeemed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class KeyCanary(_Table, table=True):
    """A known value encrypted under the key ring, so that the bot can tell at start whether
    its keys read what is stored (db/keyring.py), even before anyone has written anything.

    One row, id 1; `reflect-bot keys rotate` moves it to the new key with everything else.
    """

    __tablename__ = "key_canary"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    value: str = Field(sa_type=EncryptedText)


class TranscriptionJob(_Table, table=True):
    """A voice note waiting for, or holding, its transcript (issue #22; DESIGN promise 9).

    The audio is kept encrypted only until the transcript is ready or the job is abandoned;
    the transcript only until the clinician saves, edits or discards it. The row is deleted
    then: only the confirmed text is stored, as an Answer.
    """

    __tablename__ = "transcription_job"
    __table_args__ = (Index("ix_transcription_job_status", "status", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    clinician_id: int = Field(sa_column=_fk("clinician.id"))
    chat_id: int = Field(sa_type=BigInteger)
    # The step the note answers, when a reflection was open and waiting for text.
    reflection_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("reflection.id", ondelete="CASCADE"), nullable=True),
    )
    step_id: str | None = Field(default=None, max_length=24)
    # The Ogg/Opus (or other) bytes, base64 inside the encrypted text: `keys rotate` and
    # `keys check` find every EncryptedText column, so pending audio is covered like answers.
    audio: str | None = Field(default=None, sa_type=EncryptedText)
    duration_seconds: int = Field(default=0)
    # pending → claimed → offered (transcript shown) | failed (told); see domain/transcription.
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=64)
    transcript: str | None = Field(default=None, sa_type=EncryptedText)
    failure: str | None = Field(default=None, max_length=16)  # too_long | unreadable | …
    offered_message_id: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
