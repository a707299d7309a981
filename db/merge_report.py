"""What receiving a bundle did or would do, in the officer's words (db/exchange.py): the kinds of record, the
conflicts with both sides, the choices that settle them, and the report's lines per kind."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from db.bundle import RECORD_TABLES
from db.changes import Changes
from db.dots import RowKey
from db.phrasing import plural

KINDS = {
    "actor": "actors", "actoralias": "actor aliases", "agreement": "agreements", "party": "parties",
    "partymember": "actors grouped under parties",
    "obligation": "obligations", "obligationobligor": "obligors", "obligationdependency": "dependencies",
    "assessment": "assessments", "importfile": "import files", "event": "events", "eventactor": "event actors",
    "eventobligation": "event links", "metric": "metrics", "metricobligation": "metric links",
    "targetpoint": "target points", "observation": "observations", "officerwords": "officer's words",
}  # fmt: skip


class Choice(StrEnum):
    MINE = "mine"
    THEIRS = "theirs"
    BOTH = "both"  # text: this desk's and the other's, one after the other


CHOICE_WORDS = {
    Choice.MINE: "this desk's version kept", Choice.THEIRS: "the other desk's version taken",
    Choice.BOTH: "both texts kept",
}  # fmt: skip


@dataclass(frozen=True)
class Conflict:
    key: RowKey
    label: str  # how the officer knows the record: "Obligation P1-A.1"
    why: str  # "changed on both desks", "deleted on this desk, changed on the other", …
    mine: dict[str, Any] | None  # None: deleted here
    theirs: dict[str, Any] | None  # None: deleted there
    columns: tuple[str, ...]  # the columns that differ

    @property
    def kind(self) -> str:
        return KINDS[self.key[0]]

    @property
    def text_only(self) -> bool:
        """Both sides can be kept: every column that differs holds text on both."""
        return (
            self.mine is not None and self.theirs is not None and bool(self.columns)
            and all(isinstance(self.mine[c], str) and isinstance(self.theirs[c], str) for c in self.columns)
        )  # fmt: skip

    def line(self) -> str:
        detail = f" ({', '.join(self.columns)})" if self.columns else ""
        return f"{self.label}: {self.why}{detail}."


@dataclass
class MergeReport:
    bundle: Path
    sha256: str
    sender: str
    sender_who: str
    made_at: str
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    conflicts: list[Conflict] = field(default_factory=list)
    not_taken: list[str] = field(default_factory=list)  # rows left out with the deletion they need
    renamed: list[str] = field(default_factory=list)  # records held under two ids, settled on one
    entries_received: int = 0
    chosen: dict[RowKey, "Choice"] = field(default_factory=dict)  # how each conflict was settled
    written: bool = False
    nothing_new: bool = False  # received before, or holding only what this desk holds
    changes: Changes = field(default_factory=Changes)

    def lines(self) -> list[str]:
        head = "Received" if self.written else "Nothing new in" if self.nothing_new else "Would receive"
        when = f"{self.made_at[:10]} {self.made_at[11:16]} UTC"
        lines = [f"{head} {self.bundle.name} from desk {self.sender[:8]} ({self.sender_who}, {when}), "
                 f"SHA-256 {self.sha256[:12]}…:"]  # fmt: skip
        for table in RECORD_TABLES:
            count = self.counts.get(table)
            if count and (count["added"] or count["updated"] or count["deleted"] or count["conflict"]):
                said = [f"{count[o]} {o}" for o in ("added", "updated", "deleted", "unchanged") if count[o]]
                said += [plural(count["conflict"], "conflict")] if count["conflict"] else []
                lines.append(f"  {KINDS[table]}: {', '.join(said)}")
        unchanged = sum(c["unchanged"] for c in self.counts.values())
        entries = self.entries_received
        lines.append(f"  {plural(unchanged, 'record')} unchanged; {entries:,} audit "
                     f"{'entry' if entries == 1 else 'entries'} of other desks received.")  # fmt: skip
        for conflict in self.conflicts:
            choice = self.chosen.get(conflict.key)
            said = f"Settled ({CHOICE_WORDS[choice]})" if choice else "Conflict"
            lines.append(f"  {said}: {conflict.line()}")
        lines.extend(f"  Not taken: {line}" for line in self.not_taken)
        lines.extend(f"  Same record: {line}." for line in self.renamed)
        return lines


def both_sides(count: int) -> str:
    return f"{plural(count, 'record')} {'was' if count == 1 else 'were'} changed on both desks"


def label(table: str, values: dict[str, Any], obligation_refs: dict[str, str]) -> str:
    if table == "obligation":
        return f"Obligation {values['ref']}"
    if table == "agreement":
        return f"The agreement {values['short_title'] or values['title']}"
    if table == "actor":
        return f"The actor {values['name']}"
    if table == "event":
        return f"The event {values['external_id']}" if values["external_id"] else f"The event of {values['occurred_on']}"
    if table == "assessment":
        return f"The assessment of {obligation_refs.get(values['obligation_id'], 'an obligation')} as of {values['as_of']}"
    if table == "metric":
        return f"The metric {values['name']}"
    return f"A row of {KINDS[table]}"
