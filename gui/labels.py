"""Words the window shows for the record's closed vocabularies and for standings."""

from db.compliance import Standing
from db.vocabulary import CREDIBILITY, IMPLEMENTATION_SCORES, RELIABILITY, ObligationKind

KIND_LABELS = {
    ObligationKind.SECTION: "Section",
    ObligationKind.ACTION: "Action",
    ObligationKind.PROHIBITION: "Prohibition",
    ObligationKind.QUANTITATIVE: "Quantitative target",
    ObligationKind.PROCESS: "Process",
}

BEARING_LABELS = {"supports": "supports compliance", "breach": "indicates breach", "context": "context"}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def score_label(score: int | None) -> str:
    return "not scored" if score is None else f"score {score} ({IMPLEMENTATION_SCORES.get(score, '?')})"


def grade_label(grade: str) -> str:
    """An Admiralty grade such as "B2" with its meaning."""
    if not grade:
        return "not graded"
    words = [RELIABILITY.get(grade[:1], ""), CREDIBILITY.get(grade[1:2], "")]
    meaning = ", ".join(w for w in words if w)
    return f"{grade} ({meaning})" if meaning else grade


def computed_note(standing: Standing) -> str:
    """ "(computed: Overdue)" when an assessment says otherwise than the computed status, else ""."""
    if standing.assessed is not None and standing.assessed != standing.computed:
        return f"(computed: {standing.computed.label})"
    return ""


def status_text(standing: Standing) -> str:
    """The status as read aloud: "Met", or "Met (computed: Overdue)" when an assessment overrides."""
    note = computed_note(standing)
    return f"{standing.status.label} {note}" if note else standing.status.label
