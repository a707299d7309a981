"""What the team server's announcements of other officers' changes mean to a window (db.team_server
NOTIFYs them as each transaction commits): which parts of the record to read again, as a db.changes
Changes, and a line for the status bar saying who changed what."""

import json
from collections import Counter
from dataclasses import dataclass

from db.changes import EVERYTHING, Changes


@dataclass(frozen=True)
class Notice:
    table: str
    row_id: str | None  # None: too many rows of the table changed at once to name them
    who: str
    operation: str = ""
    application: str = ""  # the writer's application_name: a window skips its own
    agreement: str | None = None
    obligation: str | None = None
    metric: str | None = None
    event: str | None = None


def parse(payload: str) -> Notice | None:
    """A notice from its JSON payload; None for one that is not the server's."""
    try:
        values = json.loads(payload)
        return Notice(
            table=values["table"], row_id=values.get("id"), who=values["who"],
            operation=values.get("operation", ""), application=values.get("application") or "",
            **{key: values.get(key) for key in ("agreement", "obligation", "metric", "event")},
        )  # fmt: skip
    except (ValueError, KeyError, TypeError):
        return None


def _one(value: str | None) -> frozenset[str]:
    return frozenset({value}) if value else frozenset()


def changes_of(notice: Notice) -> Changes:
    """What a window reads again for one notice: as the service that made the change would have said."""
    table, row = notice.table, notice.row_id
    if table == RIGHTS_TABLE:
        return Changes(rights=True)
    if row is None:
        return EVERYTHING
    if table == "agreement":
        return Changes(agreements=_one(row))
    if table in ("party", "partymember"):
        return Changes(agreements=_one(notice.agreement), actors=True, event_log=True) if notice.agreement else EVERYTHING
    if table == "obligation":
        return Changes(tree=True, obligations=_one(row))
    if table in ("obligationobligor", "obligationdependency"):
        return Changes(obligations=_one(notice.obligation))
    if table == "assessment":
        return Changes(assessments=_one(notice.obligation))
    if table == "officerwords":
        return Changes(words=_one(notice.agreement))
    if table == "event":
        return Changes(events=_one(row), event_log=True)
    if table == "eventobligation":
        return Changes(events=_one(notice.event), evidence=_one(notice.obligation), event_log=True)
    if table == "eventactor":
        return Changes(events=_one(notice.event), event_log=True, actors=True)
    if table in ("actor", "actoralias", "importfile"):
        return Changes(actors=True, event_log=True)
    if table == "metric":
        # A metric added or removed changes the agreement's list of metrics, which only agreements re-read.
        return Changes(metrics=_one(row), agreements=_one(notice.agreement) if notice.operation != "update" else frozenset())
    if table in ("metricobligation", "targetpoint", "observation"):
        return Changes(metrics=_one(notice.metric))
    return EVERYTHING


def changes_of_all(notices: list[Notice]) -> Changes:
    changes = Changes()
    for notice in notices:
        changes |= changes_of(notice)
    return changes


_WORDS = {
    "agreement": ("an agreement", "agreements"), "party": ("a party", "parties"),
    "partymember": ("a party's member", "parties' members"), "obligation": ("an obligation", "obligations"),
    "obligationobligor": ("an obligor", "obligors"), "obligationdependency": ("a dependency", "dependencies"),
    "assessment": ("an assessment", "assessments"), "officerwords": ("an assessment in words", "assessments in words"),
    "event": ("an event", "events"), "eventobligation": ("an event's link", "events' links"),
    "eventactor": ("an event's actor", "events' actors"), "actor": ("an actor", "actors"),
    "actoralias": ("an actor's alias", "actors' aliases"), "importfile": ("an import", "imports"),
    "metric": ("a metric", "metrics"), "metricobligation": ("a metric's obligation", "metrics' obligations"),
    "targetpoint": ("a target point", "target points"), "observation": ("an observation", "observations"),
}  # fmt: skip


RIGHTS_TABLE = "agreementeditor"  # announced once per statement, without ids (db.team_server)
_RIGHTS_WORDS = "who edits which agreement"


def described(notices: list[Notice]) -> str:
    """"amina changed an obligation and 2 assessments": the status bar's line, officers in order of appearance."""
    by_officer: dict[str, Counter] = {}
    many: dict[str, set[str]] = {}
    rights: set[str] = set()  # the officers who changed who edits which agreement
    for notice in notices:
        if notice.table == RIGHTS_TABLE:
            rights.add(notice.who)
        elif notice.row_id is None:
            many.setdefault(notice.who, set()).add(notice.table)
        else:
            by_officer.setdefault(notice.who, Counter())[notice.table] += 1
        by_officer.setdefault(notice.who, Counter())
    lines = []
    for who, counts in by_officer.items():
        parts = [_WORDS.get(t, (f"a {t} row", f"{t} rows"))[0] if n == 1 else f"{n} {_WORDS.get(t, ('', f'{t} rows'))[1]}"
                 for t, n in counts.items()]  # fmt: skip
        parts += [f"many {_WORDS.get(t, ('', f'{t} rows'))[1]}" for t in sorted(many.get(who, ()))]
        parts += [_RIGHTS_WORDS] if who in rights else []
        lines.append(f"{who} changed {_joined(parts)}")
    return "; ".join(lines) + "."


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
