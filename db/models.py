"""Every table of the record (DESIGN.md, "The record"), in one place.

Identifiers are UUID strings so records made on different desks can be merged later; only the local
audit trail counts its entries. Timestamps are aware UTC (`db.clock.utc_now`).
"""

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from db.clock import utc_now
from db.ids import new_id


def _id() -> str:
    return Field(default_factory=new_id, primary_key=True, max_length=36)


def _ref(table: str, *, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True):
    return Field(
        default=None if nullable else ...,
        foreign_key=f"{table}.id",
        ondelete=ondelete,
        index=index,
        max_length=36,
        nullable=nullable,
    )


def _long_text(nullable: bool = True):
    return Field(default=None if nullable else "", sa_column=Column(Text, nullable=nullable))


class Versioned(SQLModel):
    """A row of the record: its version counts the changes made to it, and every ORM update or
    delete names the version it read (SQLAlchemy's version_id_col), so a row changed since on another
    desk or by an import is refused instead of overwritten. db.audit sets the next version itself
    (version_id_generator False), so the audit entry records the version the change leaves."""

    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})

    @declared_attr
    def __mapper_args__(cls):  # noqa: N805 (SQLAlchemy calls it with the class)
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}


class Agreement(Versioned, table=True):
    id: str = _id()
    title: str
    short_title: str = ""
    signed_on: date | None = None
    place: str = ""
    source_citation: str | None = None
    notes: str | None = _long_text()


class Actor(Versioned, table=True):
    id: str = _id()
    name: str = Field(index=True)
    kind: str = "other"
    notes: str | None = None


class ActorAlias(Versioned, table=True):
    """Other names of an actor, so imports map "Taliban" and "Islamic Emirate" to one actor."""

    __table_args__ = (UniqueConstraint("alias_key", name="uq_actoralias_alias_key"),)
    id: str = _id()
    actor_id: str = _ref("actor")
    alias: str
    alias_key: str  # casefolded alias: lookups ignore case


class Party(Versioned, table=True):
    __table_args__ = (UniqueConstraint("agreement_id", "actor_id", name="uq_party_agreement_actor"),)
    id: str = _id()
    agreement_id: str = _ref("agreement")
    actor_id: str = _ref("actor", ondelete="RESTRICT")
    role: str
    represented_by: str | None = None


class PartyMember(Versioned, table=True):
    """An actor that counts as a party of an agreement and stays itself in the event log: ACLED's
    "Military Forces of Afghanistan (2014-2021)" counting as the example's party "Afghan government".
    Keyed by the party row, so a party's role can change and its group stays; one party per actor
    and agreement is db.parties' rule."""

    party_id: str = Field(foreign_key="party.id", ondelete="RESTRICT", primary_key=True, max_length=36)
    actor_id: str = Field(foreign_key="actor.id", ondelete="RESTRICT", primary_key=True, max_length=36, index=True)


class Obligation(Versioned, table=True):
    """A node of the agreement's tree: a section or an obligation with its deadline."""

    __table_args__ = (Index("ix_obligation_parent_position", "agreement_id", "parent_id", "position"),)
    id: str = _id()
    agreement_id: str = _ref("agreement", index=False)
    parent_id: str | None = _ref("obligation", nullable=True, index=False)
    position: int = 0
    ref: str
    title: str
    text: str | None = _long_text()
    kind: str = "action"
    beneficiary_id: str | None = _ref("actor", nullable=True, ondelete="SET NULL")
    # A deadline is a date, or a rule ("135 days after signing") resolved to a date, or ongoing.
    deadline_on: date | None = None
    deadline_rule: str | None = None
    ongoing: bool = False
    deadline_note: str | None = None


class ObligationObligor(Versioned, table=True):
    obligation_id: str = Field(
        foreign_key="obligation.id", ondelete="CASCADE", primary_key=True, max_length=36
    )
    actor_id: str = Field(foreign_key="actor.id", ondelete="RESTRICT", primary_key=True, max_length=36)
    position: int = 0


class ObligationDependency(Versioned, table=True):
    obligation_id: str = Field(
        foreign_key="obligation.id", ondelete="CASCADE", primary_key=True, max_length=36
    )
    depends_on_id: str = Field(
        foreign_key="obligation.id", ondelete="CASCADE", primary_key=True, max_length=36
    )
    note: str | None = None


class Assessment(Versioned, table=True):
    """An officer's judgement of an obligation as of a date. Never overwritten: history is kept."""

    id: str = _id()
    obligation_id: str = _ref("obligation")
    as_of: date
    status: str
    score: int | None = None  # Peace Accords Matrix: 0 not started … 3 full
    confidence: str = "medium"
    rationale: str = Field(default="", sa_column=Column(Text, nullable=False))
    assessed_by: str
    recorded_at: datetime = Field(default_factory=utc_now)


class OfficerWords(Versioned, table=True):
    """The officer's own assessment of an agreement in words, for page 1 of its reports. Each save is a
    new row, never overwritten: the newest is the one reports use, the earlier ones are its history."""

    __table_args__ = (Index("ix_officerwords_agreement_written", "agreement_id", "written_at"),)
    id: str = _id()
    agreement_id: str = _ref("agreement", index=False)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    written_by: str
    written_at: datetime = Field(default_factory=utc_now)


class ImportFile(Versioned, table=True):
    """A file an import read: its name and SHA-256 tie every imported event to its origin."""

    id: str = _id()
    file_name: str
    sha256: str = Field(index=True, max_length=64)
    format: str
    row_count: int = 0
    imported_at: datetime = Field(default_factory=utc_now)
    imported_by: str


class Event(Versioned, table=True):
    # The event log's filters: a type or a grade, each usually with a date range (db/event_log.py); the
    # events near a place and date, for the duplicate check (db/duplicates.py). Migration 0007 makes that
    # one's location COLLATE NOCASE, which SQLite's index list does not show, so the models cannot say it.
    __table_args__ = (
        Index("ix_event_type_occurred_on", "event_type", "occurred_on"),
        Index("ix_event_grade_occurred_on", "reliability", "credibility", "occurred_on"),
        Index("ix_event_location_occurred_on", "location", "occurred_on"),
    )
    id: str = _id()
    agreement_id: str | None = _ref("agreement", nullable=True)
    occurred_on: date = Field(index=True)
    # The last day it may have happened, when the source gives a range (UCDP's date_start..date_end).
    occurred_until: date | None = None
    date_precision: str = "day"
    event_type: str = ""
    sub_event_type: str | None = None
    location: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    fatalities: int | None = None  # None: unknown
    notes: str | None = _long_text()
    source_name: str | None = None
    source_reference: str | None = None
    source_accessed_on: date | None = None
    reliability: str | None = Field(default=None, max_length=1)  # Admiralty A–F
    credibility: str | None = Field(default=None, max_length=1)  # Admiralty 1–6
    external_id: str | None = Field(default=None, unique=True)  # by source (db/event_layouts.py)
    origin: str = "typed"
    import_file_id: str | None = _ref("importfile", nullable=True, ondelete="RESTRICT")
    recorded_at: datetime = Field(default_factory=utc_now)
    recorded_by: str = ""
    # Another source of a happening already in the record: the id of the happening's first event. Not a
    # foreign key: when that event is deleted the others stay one happening (db/same_happening.py).
    same_happening_as: str | None = Field(default=None, index=True, max_length=36)


class EventActor(Versioned, table=True):
    event_id: str = Field(foreign_key="event.id", ondelete="CASCADE", primary_key=True, max_length=36)
    actor_id: str = Field(
        foreign_key="actor.id", ondelete="RESTRICT", primary_key=True, max_length=36, index=True
    )
    role: str = "actor1"  # EventRole: actor1, assoc1, actor2, assoc2


class EventObligation(Versioned, table=True):
    """An event's bearing on an obligation: supports compliance, indicates breach, or context."""

    event_id: str = Field(foreign_key="event.id", ondelete="CASCADE", primary_key=True, max_length=36)
    obligation_id: str = Field(
        foreign_key="obligation.id", ondelete="CASCADE", primary_key=True, max_length=36, index=True
    )
    bearing: str = "context"
    note: str | None = None


class Metric(Versioned, table=True):
    id: str = _id()
    agreement_id: str = _ref("agreement")
    name: str
    unit: str = ""
    direction: str = "decrease"
    tolerance: float = 0.0
    description: str | None = None


class MetricObligation(Versioned, table=True):
    metric_id: str = Field(foreign_key="metric.id", ondelete="CASCADE", primary_key=True, max_length=36)
    obligation_id: str = Field(
        foreign_key="obligation.id", ondelete="CASCADE", primary_key=True, max_length=36, index=True
    )


class TargetPoint(Versioned, table=True):
    id: str = _id()
    metric_id: str = _ref("metric")
    on: date
    value: float
    obligation_id: str | None = _ref("obligation", nullable=True, ondelete="SET NULL")
    note: str | None = None


class Observation(Versioned, table=True):
    """A reported value. Competing claims of one date are kept side by side."""

    id: str = _id()
    metric_id: str = _ref("metric")
    observed_on: date
    date_precision: str = "day"
    value: float
    qualifier: str = "exact"
    claimant_id: str | None = _ref("actor", nullable=True, ondelete="SET NULL")
    event_id: str | None = _ref("event", nullable=True, ondelete="SET NULL")
    source: str | None = None
    note: str | None = None


class AuditEntry(SQLModel, table=True):
    """Append-only: the migrations add triggers that refuse UPDATE and DELETE, and chain the entries."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, index=True)
    who: str
    action: str  # the user's action, as shown in the Undo menu ("Add obligation")
    operation: str  # insert | update | delete
    table_name: str
    row_id: str = Field(index=True)
    before: str | None = Field(default=None, sa_column=Column(Text))  # JSON
    after: str | None = Field(default=None, sa_column=Column(Text))  # JSON
    # SHA-256 over the previous entry's hash and this entry's content (db.audit.entry_hash): a forged,
    # altered or removed entry breaks the chain (db.integrity).
    hash: str = Field(max_length=64)
