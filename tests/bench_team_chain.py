"""What the server's audit chain costs concurrent writers (issue 17).

N writers, each on its own connection as an administrator (row-level security applies to it), commit
K small transactions each: one UPDATE of an obligation of their own. Once on a database with only the
tables (the raw baseline: no triggers, no policies), once with db.team_server installed (audit triggers,
row-level security, the chain's head row locked by every transaction at commit). Printed: the median
commit latency, the transactions per second of all writers, and the ratios.

    nice -n 19 .venv/bin/python -m tests.bench_team_chain [--writers 1 4 8] [--transactions 200]
"""

import argparse
import statistics
import threading
import time
import uuid

import psycopg
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import db.models  # noqa: F401  (the tables)
from db import team_server
from tests import pg_cluster
from tests.team_db import sqlalchemy_url


def _database(cluster, name: str, chained: bool, rows: int) -> str:
    cluster.psql(f"CREATE DATABASE {name}")
    engine = create_engine(sqlalchemy_url(cluster.url(name)))
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        if chained:
            roles = team_server.install(connection)
            administrator = roles.administrator
        else:
            administrator = f"bench_{name}_administrator"
            connection.exec_driver_sql(f"CREATE ROLE {administrator}")
            connection.exec_driver_sql(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {administrator}")
    engine.dispose()
    officer = f"{name}_officer"
    cluster.psql(f"CREATE ROLE {officer} LOGIN IN ROLE {administrator}")
    values = ", ".join(f"('o{i}', 'a', {i}, 'P{i}', 'Obligation {i}', 'action', false, 1)" for i in range(rows))
    cluster.psql(
        "INSERT INTO agreement (id, title, short_title, place, version) VALUES ('a', 'Bench', 'B', '', 1);"
        "INSERT INTO obligation (id, agreement_id, position, ref, title, kind, ongoing, version) VALUES " + values,
        name,
    )
    return cluster.url(name, officer)


def _run(url: str, writers: int, transactions: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock, start = threading.Lock(), threading.Barrier(writers + 1)

    def write(writer: int) -> None:
        mine = []
        with psycopg.connect(url) as connection:
            start.wait()
            for number in range(transactions):
                began = time.perf_counter()
                connection.execute(
                    "UPDATE obligation SET title = %s, version = version + 1 WHERE id = %s",
                    (f"Edit {number} {uuid.uuid4()}", f"o{writer}"),
                )
                connection.commit()
                mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return latencies, writers * transactions / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--transactions", type=int, default=200)
    args = parser.parse_args()
    cluster = pg_cluster.start()
    try:
        urls = {chained: _database(cluster, f"bench_{'chained' if chained else 'plain'}", chained, max(args.writers))
                for chained in (False, True)}  # fmt: skip
        print(f"{'writers':>7}  {'median ms raw':>13}  {'median ms chain':>15}  {'ratio':>5}  "
              f"{'tx/s raw':>8}  {'tx/s chain':>10}  {'ratio':>5}")  # fmt: skip
        for writers in args.writers:
            (raw, raw_rate), (chain, chain_rate) = (_run(urls[c], writers, args.transactions) for c in (False, True))
            raw_ms, chain_ms = statistics.median(raw) * 1000, statistics.median(chain) * 1000
            print(f"{writers:>7}  {raw_ms:>13.2f}  {chain_ms:>15.2f}  {chain_ms / raw_ms:>5.2f}  "
                  f"{raw_rate:>8.0f}  {chain_rate:>10.0f}  {raw_rate / chain_rate:>5.2f}")  # fmt: skip
        entries = cluster.psql("SELECT count(*) FROM auditentry", "bench_chained").strip()
        print(f"audit entries chained: {entries}")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
