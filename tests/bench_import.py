"""Benchmark: importing 100,000 generated ACLED rows end to end, against a raw baseline in the same run.

    /work/venv/bin/python -m tests.bench_import [--rows 100000] [--runs 3]

Ours: `import_events` on a fresh database (the example agreement, so actors map through aliases):
hash, UTF-8 check, validation of every row, actor mapping, bulk inserts of events and their actor
links (db/bulk.py), audit, commit. Baseline: csv.reader plus sqlite3 executemany of the same rows into the same event
table of another fresh database, with the same pragmas and one transaction. Medians of --runs runs,
printed side by side with the ratio of the medians and the median of the run-by-run ratios (target:
within 2x), and a third measure: the baseline that also
writes what the import writes besides the events, each event's actors. Then the event log over those
rows: db.event_log's queries against the same SQL run by sqlite3.

Not collected by pytest (its files are test_*.py).
"""

import argparse
import csv
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from db.actors import find_actor
from db.event_import import import_events
from db.event_layouts import ACLED_COLUMNS
from db.event_log import ALL_EVENTS, EventFilter, _rows_query, conditions, count_events, event_rows
from db.examples import create_database
from db.models import Event
from db.store import PRAGMAS, Store

ACTORS = [
    "Taliban", "Military Forces of Afghanistan (2014-2021)", "Police Forces of Afghanistan (2014-2021)",
    "Military Forces of the United States (2017-2021)", "Civilians (Afghanistan)", "Islamic State (Afghanistan)",
    "Unidentified Armed Group (Afghanistan)", "Protesters (Afghanistan)", "Haqqani Network", "NATO: North Atlantic Treaty Organization",
    *(f"Militia (Commander {n})" for n in range(40)),
]  # fmt: skip
TYPES = [
    ("Political violence", "Battles", "Armed clash"),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike"),
    ("Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Political violence", "Violence against civilians", "Attack"),
    ("Demonstrations", "Protests", "Peaceful protest"),
    ("Strategic developments", "Strategic developments", "Arrests"),
]
DISTRICTS = [("Helmand", "Nahr-e Saraj", 31.82, 64.57), ("Kabul", "Kabul", 34.5167, 69.1833),
             ("Kandahar", "Arghandab", 31.642, 65.669), ("Balkh", "Chimtal", 36.6781, 66.7808),
             ("Badakhshan", "Jurm", 36.8648, 70.8342), ("Ghazni", "Andar", 33.3167, 68.45)]  # fmt: skip
PLACE_COUNT = 5_000  # villages with their own coordinates, as in a real country's export
SOURCES = ["Pajhwok Afghan News", "Tolo News", "Xinhua; Tolo News", "Ariana News", "Bakhtar News Agency"]


def generate(path: Path, rows: int, seed: int = 2020, repeats: tuple[int, int] = (1, 3)) -> None:
    """`rows` ACLED rows; each note says its sentence a number of times within `repeats`."""
    random.seed(seed)
    start = date(2017, 1, 1)
    places = []
    for n in range(PLACE_COUNT):
        admin1, admin2, lat, lon = random.choice(DISTRICTS)
        places.append((admin1, admin2, f"Village {n}", f"{lat + random.uniform(-0.5, 0.5):.4f}",
                       f"{lon + random.uniform(-0.5, 0.5):.4f}"))  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ACLED_COLUMNS)
        for n in range(rows):
            disorder, kind, sub = random.choice(TYPES)
            admin1, admin2, location, lat, lon = random.choice(places)
            on = start + timedelta(days=random.randrange(1700))
            actor1, actor2 = random.sample(ACTORS, 2)
            assoc = random.choice(
                ["", "", "Women (Afghanistan)", "Civilians (Afghanistan); Children (Afghanistan)"]
            )
            fatalities = random.choice([0, 0, 1, 2, 3, 5, 12])
            notes = (f"On {on:%d %B %Y}, {actor1} and {actor2} clashed near {location} ({admin1}); "
                     f"{fatalities} killed, according to local sources. " * random.randint(*repeats)).strip()  # fmt: skip
            writer.writerow([
                f"AFG{n + 1:06d}", on.isoformat(), on.year, random.choice("1112"), disorder, kind, sub, actor1, "",
                "Rebel group", actor2, assoc, "State forces", "Rebel group-State forces", "", 4,
                "Caucasus and Central Asia", "Afghanistan", admin1, admin2, "", location, lat, lon, random.choice("12"),
                random.choice(SOURCES), "National", notes, fatalities, "", 1_600_000_000 + n,
            ])  # fmt: skip


_BASELINE_SQL = (
    "INSERT INTO event (id, occurred_on, date_precision, event_type, sub_event_type, location, admin1, admin2, "
    "admin3, country, latitude, longitude, geo_precision, fatalities, notes, source_name, external_id, origin, "
    "recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_PRECISION = {"1": "day", "2": "week", "3": "month"}


def baseline(path: Path, database: Path, links: bool = False) -> float:
    """csv.reader plus sqlite3 executemany into the same table; only the conversions the columns need.

    With `links`, also what the import writes besides the events: each event's actors, as rows of
    eventactor (names looked up casefolded among actors and aliases, unknown ones added).
    """
    started = time.perf_counter()
    connection = sqlite3.connect(database, isolation_level=None)
    for pragma in PRAGMAS:  # the same settings as the application's connections
        connection.execute(f"PRAGMA {pragma}")
    known = dict(connection.execute("SELECT alias_key, actor_id FROM actoralias").fetchall())
    known.update(
        (name.casefold(), actor_id) for actor_id, name in connection.execute("SELECT id, name FROM actor")
    )
    rows, actors, new_actors = baseline_rows(path, known, links, datetime.now(UTC).isoformat(sep=" "))
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany("INSERT INTO actor (id, name, kind) VALUES (?, ?, ?)", new_actors)
    connection.executemany(_BASELINE_SQL, rows)
    connection.executemany("INSERT INTO eventactor (event_id, actor_id, role) VALUES (?, ?, ?)", actors)
    connection.execute("COMMIT")
    connection.close()
    return time.perf_counter() - started


BASELINE_COLUMNS = (
    "id", "occurred_on", "date_precision", "event_type", "sub_event_type", "location", "admin1", "admin2", "admin3",
    "country", "latitude", "longitude", "geo_precision", "fatalities", "notes", "source_name", "external_id", "origin",
    "recorded_at", "recorded_by",
)  # fmt: skip


def baseline_rows(path: Path, known: dict[str, str], links: bool, now) -> tuple[list, list, list]:
    """The file's rows for the baseline's table (BASELINE_COLUMNS), with `links` each event's actors and the
    actors not `known` (casefolded names and aliases → id), found with csv.reader and the conversions only."""
    rows, actors, new_actors = [], [], []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        at = {name: index for index, name in enumerate(next(reader))}
        c = [at[name] for name in ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
                                   "location", "admin1", "admin2", "admin3", "country", "latitude", "longitude",
                                   "geo_precision", "fatalities", "notes", "source")]  # fmt: skip
        roles = [(at[column], role) for column, role in
                 (("actor1", "actor1"), ("assoc_actor_1", "assoc1"), ("actor2", "actor2"), ("assoc_actor_2", "assoc2"))]  # fmt: skip
        for r in reader:
            event_id = str(uuid.uuid4())
            rows.append((
                event_id, r[c[1]], _PRECISION[r[c[2]]], r[c[3]], r[c[4]] or None, r[c[5]] or None,
                r[c[6]] or None, r[c[7]] or None, r[c[8]] or None, r[c[9]] or None, float(r[c[10]]), float(r[c[11]]),
                int(r[c[12]]), int(r[c[13]]), r[c[14]], r[c[15]], r[c[0]], "imported", now, "bench",
            ))  # fmt: skip
            if links:
                linked = set()
                for index, role in roles:
                    for name in filter(None, map(str.strip, r[index].split(";"))):
                        if (key := name.casefold()) not in known:
                            known[key] = str(uuid.uuid4())
                            new_actors.append((known[key], name, "other"))
                        if known[key] not in linked:
                            linked.add(known[key])
                            actors.append((event_id, known[key], role))
    return rows, actors, new_actors


def baseline_with_links(path: Path, database: Path) -> float:
    return baseline(path, database, links=True)


OURS = "import_events (end to end)"


def ours(path: Path, database: Path) -> float:
    store = Store.open(database, user="bench")
    try:
        started = time.perf_counter()
        report = import_events(store, path)
        elapsed = time.perf_counter() - started
    finally:
        store.close()
    assert len(report.added) > 0 and not report.skipped
    return elapsed


def _compiled(statement, engine) -> tuple[str, list]:
    compiled = statement.compile(engine, compile_kwargs={"render_postcompile": True})  # aggregate_strings
    return str(compiled), [compiled.params[key] for key in compiled.positiontup]


def event_log(database: Path) -> list[tuple[str, float, float]]:
    """The event log's queries through db.event_log against the same SQL through sqlite3."""
    store = Store.open(database, user="bench")
    with store.reading() as session:
        taliban = find_actor(session, "Taliban")
    wanted = EventFilter(text="Village 12", event_type="Battles")
    cases = [  # (what, the call, its statements)
        ("first page (200 rows), by date", lambda s: event_rows(s, limit=200), [_rows_query(ALL_EVENTS, "date", False).limit(200)]),
        ("whole table, by date", lambda s: event_rows(s), [_rows_query(ALL_EVENTS, "date", False)]),
        ("filter text + type, with count", lambda s: (event_rows(s, wanted), count_events(s, wanted)),
         [_rows_query(wanted, "date", False), select(func.count()).select_from(Event).where(*conditions(wanted))]),
        ("actor's events, by actors", lambda s: event_rows(s, EventFilter(actor_id=taliban), sort="actors"),
         [_rows_query(EventFilter(actor_id=taliban), "actors", False)]),
    ]  # fmt: skip
    results = []
    try:
        connection = sqlite3.connect(database)
        for what, call, statements in cases:
            with store.reading() as session:
                started = time.perf_counter()
                call(session)
                mine = time.perf_counter() - started
            started = time.perf_counter()
            for statement in statements:
                connection.execute(*_compiled(statement, store.engine)).fetchall()
            results.append((what, mine, time.perf_counter() - started))
        connection.close()
    finally:
        store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        source = folder / "acled.csv"
        generate(source, args.rows)
        template = folder / "template.sqlite"
        create_database(template, user="bench").close()
        print(
            f"{args.rows:,} generated ACLED rows, {source.stat().st_size / 2**20:.1f} MB; {args.runs} runs each"
        )
        measures = {
            OURS: ours,
            "baseline (csv + executemany)": baseline,
            "baseline + the actor links": baseline_with_links,
        }
        times = {name: [] for name in measures}
        for run in range(args.runs):
            for name, measure in measures.items():
                database = folder / f"{list(measures).index(name)}-{run}.sqlite"
                shutil.copyfile(template, database)
                times[name].append(measure(source, database))
        medians = {name: statistics.median(values) for name, values in times.items()}
        print(f"{'':32}{'median':>9}  ratio  runs")
        for name, values in times.items():
            ratio = f"{medians[OURS] / medians[name]:5.2f}x" if name != OURS else " " * 6
            print(f"{name:32}{medians[name]:8.2f}s {ratio}  " + " ".join(f"{t:.2f}" for t in values))
        paired = [
            mine / raw for mine, raw in zip(times[OURS], times["baseline (csv + executemany)"], strict=True)
        ]
        print(
            f"run by run, ours / baseline: {' '.join(f'{r:.2f}' for r in paired)}; "
            f"median {statistics.median(paired):.2f}x (each pair ran back to back, so a slow spell of this "
            "shared machine weighs on both)"
        )
        print("target: within 2x of the baseline")
        print(f"\nevent log over {args.rows:,} events   db.event_log   sqlite3   ratio")
        for what, mine, raw in event_log(folder / "0-0.sqlite"):
            print(f"{what:32}{mine:8.3f}s {raw:8.3f}s {mine / raw:6.2f}x")


if __name__ == "__main__":
    main()
