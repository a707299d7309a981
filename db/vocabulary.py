"""The closed vocabularies of the record, defined once.

Values are stored as these plain strings so that the database stays readable from any tool.
"""

from enum import StrEnum


class Status(StrEnum):
    """The compliance status scale (DESIGN.md)."""

    NOT_DUE = "not_due"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    MET = "met"
    MET_LATE = "met_late"
    OVERDUE = "overdue"
    BREACHED = "breached"
    SUSPENDED = "suspended"
    DISPUTED = "disputed"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.NOT_DUE: "Not due",
    Status.ON_TRACK: "On track",
    Status.AT_RISK: "At risk",
    Status.MET: "Met",
    Status.MET_LATE: "Met late",
    Status.OVERDUE: "Overdue",
    Status.BREACHED: "Breached",
    Status.SUSPENDED: "Suspended",
    Status.DISPUTED: "Disputed",
    Status.UNKNOWN: "Unknown",
}

# Worst first: a parent shows the worst standing of its children.
STATUS_SEVERITY = [
    Status.BREACHED,
    Status.OVERDUE,
    Status.AT_RISK,
    Status.DISPUTED,
    Status.SUSPENDED,
    Status.MET_LATE,
    Status.UNKNOWN,
    Status.ON_TRACK,
    Status.NOT_DUE,
    Status.MET,
]
# The status of an assessment version that withdraws the judgement of its date (db.compliance.latest_versions).
WITHDRAWN = "withdrawn"
COMPLETED = frozenset({Status.MET, Status.MET_LATE})


class ObligationKind(StrEnum):
    SECTION = "section"
    ACTION = "action"
    PROHIBITION = "prohibition"
    QUANTITATIVE = "quantitative"
    PROCESS = "process"


class PartyRole(StrEnum):
    SIGNATORY = "signatory"
    NON_SIGNATORY = "non_signatory"
    GUARANTOR = "guarantor"
    MEDIATOR = "mediator"
    OBSERVER = "observer"


class ActorKind(StrEnum):
    STATE = "state"
    ARMED_GROUP = "armed_group"
    GOVERNMENT = "government"
    ORGANISATION = "organisation"
    PERSON = "person"
    OTHER = "other"


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class DatePrecision(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"  # UCDP's date_prec 5


class Bearing(StrEnum):
    SUPPORTS = "supports"
    BREACH = "breach"
    CONTEXT = "context"


class EventRole(StrEnum):
    """An actor's part in an event, as ACLED's columns: actor1, assoc_actor_1, actor2, assoc_actor_2."""

    ACTOR1 = "actor1"
    ASSOC1 = "assoc1"
    ACTOR2 = "actor2"
    ASSOC2 = "assoc2"


class Qualifier(StrEnum):
    EXACT = "exact"
    ABOUT = "about"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class Direction(StrEnum):
    DECREASE = "decrease"
    INCREASE = "increase"


class Origin(StrEnum):
    TYPED = "typed"
    IMPORTED = "imported"
    EXAMPLE = "example"


IMPLEMENTATION_SCORES = {
    0: "not started",
    1: "minimal",
    2: "intermediate",
    3: "full",
}
RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY = {
    "1": "confirmed by other sources",
    "2": "probably true",
    "3": "possibly true",
    "4": "doubtful",
    "5": "improbable",
    "6": "truth cannot be judged",
}
