"""What a change of the record touched, said once (Anki's OpChanges): every action's command hands one
Changes to the desk, which emits it once; each view refreshes only what concerns it.

A Changes is a small plain value; two combine with `|` (a compound action). `EVERYTHING` is for what
cannot say more precisely (an import, another database).
"""

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Changes:
    agreements: frozenset[str] = frozenset()  # agreements added, removed, renamed or given other parties
    tree: bool = False  # obligations added, removed or moved: the tree's shape
    obligations: frozenset[str] = frozenset()  # obligations whose own fields changed
    assessments: frozenset[str] = frozenset()  # obligations whose assessments changed
    evidence: frozenset[str] = frozenset()  # obligations whose linked events changed
    metrics: frozenset[str] = frozenset()  # metrics whose points changed
    events: frozenset[str] = frozenset()  # events written: the event log shows them anew
    event_log: bool = False  # the log's rows may read differently (a count, a link, a reference)
    actors: bool = False  # the names and event types the log offers may have grown
    words: frozenset[str] = frozenset()  # agreements whose officer's assessment in words changed
    rights: bool = False  # who may change which agreement (a team database's assignments)
    select: str | None = None  # the obligation the change concerned, to select
    everything: bool = False  # anything may have changed (an import, a restore): read it all again

    def __or__(self, other: "Changes") -> "Changes":
        merged = {}
        for field in fields(self):
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if field.name == "select":
                merged["select"] = theirs or mine
            else:
                merged[field.name] = mine | theirs
        return Changes(**merged)

    @property
    def statuses(self) -> bool:
        """Whether any obligation's standing may differ: the tree and the summaries must be evaluated again."""
        return bool(
            self.everything or self.tree or self.obligations or self.assessments or self.evidence or self.metrics
        )

    def concerns(self, obligation_id: str | None) -> bool:
        """Whether what the record holds about this obligation (its detail) may have changed."""
        return obligation_id is not None and (
            self.everything or self.tree or obligation_id in (self.obligations | self.assessments | self.evidence)
        )

    @property
    def log(self) -> bool:
        """Whether the event log must read its rows again."""
        return bool(self.everything or self.events or self.event_log or self.actors)


EVERYTHING = Changes(tree=True, event_log=True, actors=True, everything=True)
