"""Generated agreement documents for benchmarks and scale tests (the same format users import)."""

from datetime import date, timedelta

LEVEL_SIZES = (5, 25, 125, 625, 1220)  # 2,000 obligations, five levels deep


def agreement_document(
    level_sizes=LEVEL_SIZES, metrics: int = 0, observations: int = 0, events: int = 0
) -> dict:
    """An agreement with len(level_sizes) levels; deadlines, rules and assessments spread across them.

    With `metrics`, that many series tie to quantitative obligations of the last level, sharing
    `observations` reports between them. With `events`, that many events each linked to an obligation.
    """
    signed = date(2020, 1, 1)
    levels: list[list[dict]] = []
    for depth, size in enumerate(level_sizes):
        level = []
        for index in range(size):
            ref = f"L{depth}-{index}"
            node = {
                "ref": ref,
                "title": f"Obligation {ref}: withdraw, release, report or refrain, as clause {index} says",
                "kind": ["action", "prohibition", "process", "quantitative"][index % 4],
                "obligors": ["a", "b"][: 1 + index % 2],
                "children": [],
            }
            if index % 3 == 0:
                node["deadline"] = {"date": (signed + timedelta(days=30 + index % 700)).isoformat()}
            elif index % 3 == 1:
                node["deadline"] = {"rule": f"{1 + index % 24} months after signing"}
            else:
                node["deadline"] = {"ongoing": True}
            level.append(node)
            if depth:
                parents = levels[-1]
                parents[index * len(parents) // size]["children"].append(node)
        levels.append(level)
    assessments = [
        {
            "ref": node["ref"],
            "as_of": (signed + timedelta(days=index % 500)).isoformat(),
            "status": "met",
            "score": 3,
        }
        for index, node in enumerate(levels[-1])
        if index % 5 == 0
    ]
    quantitative = [node for node in levels[-1] if node["kind"] == "quantitative"][:metrics]
    series = []
    for index, node in enumerate(quantitative):
        start = signed + timedelta(days=index)
        deadline = start + timedelta(days=400)
        node["deadline"] = {"date": deadline.isoformat()}
        count = observations // max(1, len(quantitative))
        series.append({
            "key": f"m{index}", "name": f"Series {index}", "unit": "units", "direction": "decrease", "tolerance": 50,
            "obligations": [node["ref"]],
            "targets": [{"on": start.isoformat(), "value": 10000}, {"on": deadline.isoformat(), "value": 0, "ref": node["ref"]}],
            "observations": [
                {"on": (start + timedelta(days=day % 700)).isoformat(), "value": max(0, 10000 - 14 * day + (day * 37) % 300),
                 "claimant": "ab"[day % 2]}
                for day in range(count)
            ],
        })  # fmt: skip
    leaves = levels[-1]
    event_list = [
        {
            "on": (signed + timedelta(days=index % 900)).isoformat(), "type": "Battles", "sub_type": "Armed clash",
            "actors": ["a", "b"], "location": {"name": f"Village {index % 300}", "admin1": f"Province {index % 30}"},
            "fatalities": index % 7, "notes": f"Clash {index} near the checkpoint, as reported by local sources",
            "source": {"name": "Local press", "reliability": "C", "credibility": "3"},
            "links": [{"ref": leaves[index % len(leaves)]["ref"], "bearing": ["breach", "supports", "context"][index % 3]}],
        }
        for index in range(events)
    ]  # fmt: skip
    return {
        "format": "accord-desk/agreement",
        "version": 1,
        "agreement": {
            "title": "Generated agreement",
            "short_title": "Generated",
            "signed_on": signed.isoformat(),
        },
        "actors": [
            {"key": "a", "name": "Party A", "kind": "state"},
            {"key": "b", "name": "Party B", "kind": "armed_group"},
        ],
        "obligations": levels[0],
        "assessments": assessments,
        "metrics": series,
        "events": event_list,
    }
