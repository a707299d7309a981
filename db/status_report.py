"""The obligation tree with statuses as plain data: what `accord-desk status` prints."""

from datetime import date
from typing import Any

from sqlmodel import Session

from db.compliance import QuantityStanding
from db.errors import UserError
from db.tree import AgreementSummary, ObligationNode, list_agreements, load_tree


def choose_agreements(session: Session, wanted: str | None) -> list[AgreementSummary]:
    """All agreements, or the one whose id, id prefix or short title is `wanted`."""
    agreements = list_agreements(session)
    if wanted is None:
        return agreements
    matches = [
        a
        for a in agreements
        if a.id.startswith(wanted) or wanted.casefold() in {a.short_title.casefold(), a.title.casefold()}
    ]
    if len(matches) != 1:
        known = "; ".join(f"{a.id[:8]} {a.label}" for a in agreements) or "none"
        problem = "matches no agreement" if not matches else "matches several agreements"
        raise UserError(f"--agreement '{wanted}' {problem}; the database holds: {known}.")
    return matches


def _node(node: ObligationNode) -> dict[str, Any]:
    standing = node.standing
    return {
        "ref": node.ref,
        "title": node.title,
        "kind": node.kind,
        "obligors": node.obligors,
        "deadline": standing.deadline.on.isoformat() if standing.deadline.on else None,
        "deadline_rule": standing.deadline.explanation or None,
        "status": str(standing.status),
        "computed_status": str(standing.computed),
        "assessed_status": str(standing.assessed) if standing.assessed else None,
        "reason": standing.reason,
        "counts": {str(status): count for status, count in standing.counts.items()},
        "quantity": _quantity(standing.quantity) if standing.quantity else None,
        "children": [_node(child) for child in node.children],
    }


def _quantity(q: QuantityStanding) -> dict[str, Any]:
    return {
        "metric": q.metric,
        "unit": q.unit,
        "target": q.target,
        "target_on": q.target_on.isoformat(),
        "expected": q.expected,
        "observed": q.observed,
        "observed_on": q.observed_on.isoformat() if q.observed_on else None,
        "claims": list(q.claims),
        "needed_per_day": q.pace.needed_per_day,
        "observed_per_day": q.pace.observed_per_day,
        "projected_on": q.pace.projected_on.isoformat() if q.pace.projected_on else None,
    }


def status_report(session: Session, as_of: date, wanted: str | None = None) -> dict[str, Any]:
    return {
        "as_of": as_of.isoformat(),
        "agreements": [
            {
                "id": agreement.id,
                "title": agreement.title,
                "short_title": agreement.short_title,
                "signed_on": agreement.signed_on.isoformat() if agreement.signed_on else None,
                "place": agreement.place,
                "parties": [{"name": name, "role": role} for name, role in agreement.parties],
                "obligations": [_node(root) for root in load_tree(session, agreement.id, as_of)],
            }
            for agreement in choose_agreements(session, wanted)
        ],
    }


def _flatten(nodes, depth=0):
    for node in nodes:
        yield depth, node
        yield from _flatten(node["children"], depth + 1)


def format_text(report: dict[str, Any]) -> str:
    lines = []
    for agreement in report["agreements"]:
        signed = f", signed {agreement['signed_on']}" if agreement["signed_on"] else ""
        place = f" in {agreement['place']}" if agreement["place"] else ""
        lines += [f"{agreement['title']}{signed}{place}", f"Status as of {report['as_of']}", ""]
        rows = list(_flatten(agreement["obligations"]))
        width = max((2 * depth + len(node["ref"]) for depth, node in rows), default=3)
        lines.append(f"{'REF':<{width}}  {'STATUS':<10}  {'DEADLINE':<10}  OBLIGATION")
        for depth, node in rows:
            ref = "  " * depth + node["ref"]
            obligors = f" ({', '.join(node['obligors'])})" if node["obligors"] else ""
            lines.append(
                f"{ref:<{width}}  {node['status']:<10}  {node['deadline'] or '':<10}  {node['title']}{obligors}"
            )
            lines.append(f"{'':<{width}}  {node['reason']}")
        lines.append("")
    return "\n".join(lines)
