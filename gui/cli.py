"""The `accord-desk` command: the window, and subcommands that work without a display.

Qt is imported only when the window opens, so `status`, `import-events` and friends run on a bare
server. A user's mistake ends in one sentence on stderr and exit status 1 (2 for a malformed command line);
so does a defect, whose traceback goes to the log file in the data folder (gui/crash_log.py).
"""

import argparse
import json
import os
import sys
from contextlib import contextmanager
from datetime import date

from db.errors import DatabaseError, UserError
from gui.cli_arguments import parser

EXIT_USER_ERROR = 1


def _officer() -> str:
    """The officer of the application's settings signs what the command line writes (db.officer)."""
    from db.officer import officer_label

    return officer_label()


def _on_a_file(location, command: str):
    """The database file, or a UserError for a command that works on files only (backups)."""
    from db.backup import on_server
    from db.location import Server

    if isinstance(location, Server):
        raise UserError(f"accord-desk {command}: {on_server(location)}")
    return location


def _database(args: argparse.Namespace):
    """The --db file or server, or the default file, created with the example on first use."""
    from db.store import default_database_path

    path = getattr(args, "db", None)
    if path is None:
        path = default_database_path()
        if not path.exists():
            from db.examples import create_database  # the agreement reader: on first use only

            path.parent.mkdir(parents=True, exist_ok=True)
            create_database(path, user=_officer()).close()
    return path


def _init(args) -> int:
    from db.examples import create_database

    store = create_database(args.file, None if args.empty else args.example, _officer())
    store.close()
    what = "empty" if args.empty else f"with the example {args.example}"
    print(f"Created {args.file} ({what}).")
    return 0


def _status(args) -> int:
    from db.status_report import format_text, status_report
    from db.store import Access, Store

    store = Store.open(_database(args), access=Access.READ)
    try:
        with store.reading() as session:
            report = status_report(session, args.as_of or date.today(), args.agreement)
    finally:
        store.close()
    if args.format == "json":
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(format_text(report), end="")
    return 0


def _deadlines(args) -> int:
    from db.deadlines_ahead import count_line, deadlines_ahead
    from db.status_report import choose_agreements
    from db.store import Access, Store
    from db.tree import load_tree

    if args.within < 0:
        raise UserError(f"--within {args.within}: give the number of days ahead, 0 or more.")
    as_of = args.as_of or date.today()
    store = Store.open(_database(args), access=Access.READ)
    try:
        with store.reading() as session:
            agreements = choose_agreements(session, args.agreement)
            found = [
                (a, deadlines_ahead(load_tree(session, a.id, as_of), as_of, args.within)) for a in agreements
            ]
    finally:
        store.close()
    if args.format == "json":
        listing = [
            {"agreement": a.label, "as_of": as_of.isoformat(), "within_days": args.within, "deadlines": [
                {"ref": d.ref, "title": d.title, "due": d.due.isoformat(), "days_left": d.days_left,
                 "status": str(d.status)} for d in ahead
            ]} for a, ahead in found
        ]  # fmt: skip
        json.dump(listing, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for agreement, ahead in found:
        print(f"{agreement.label}. {count_line(ahead, as_of, args.within)}")
        for d in ahead:
            print(f"  {d.due.isoformat()}  {d.when():<18} {d.ref:<10} {d.title}  [{d.status.label}]")
    return 0


def _audit(args) -> int:
    from db.history import TrailFilter, trail, write_trail_csv
    from db.store import Access, Store

    wanted = TrailFilter(args.who, args.action, args.kind, args.record, args.since, args.until)
    store = Store.open(_database(args), access=Access.READ)
    try:
        with store.reading() as session:
            entries, total = trail(session, wanted, limit=None)
    finally:
        store.close()
    if args.output:
        print(f"Wrote {write_trail_csv(entries, args.output):,} audit entries to {args.output}.")
        return 0
    for e in entries:
        print(
            f"{e.id:>7}  {e.at.astimezone():%Y-%m-%d %H:%M:%S}  {e.who}  {e.action}  [{e.table_name} {e.row_id[:8]}]  {e.what()}"
        )
    print(f"{total:,} entries.")
    return 0


def _actors(args) -> int:
    from db.actor_roster import list_actors
    from db.phrasing import plural
    from db.store import Access, Store

    store = Store.open(_database(args), access=Access.READ)
    try:
        with store.reading() as session:
            roster = list_actors(session)
    finally:
        store.close()
    if args.format == "json":
        listing = [
            {"id": a.id, "name": a.name, "kind": a.kind, "aliases": list(a.aliases), "events": a.events,
             "obligations": a.obligations,
             "roles": [{"agreement": g, "role": r, "members": list(members)} for g, r, members in a.roles],
             "counts_as": [{"agreement": g, "party": party} for g, party in a.counts_as]}
            for a in roster
        ]  # fmt: skip
        json.dump(listing, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for a in roster:
        print(
            f"{a.id[:8]}  {a.name}  ({a.kind.replace('_', ' ')}): {plural(a.events, 'event')}, {plural(a.obligations, 'obligation')}"
        )
        if a.aliases:
            print(f"          also: {', '.join(a.aliases)}")
        if a.roles or a.counts_as:
            print(f"          {a.roles_text()}")
    print(f"{plural(len(roster), 'actor')}.")
    return 0


def _merge_actors(args) -> int:
    """The merge, after a backup: the command line has no undo stack, and a restore of the backup is the exact
    undo whatever the merge moved (the window's Edit ▸ Undo replays the merge's own record instead)."""
    from db.actor_merge import merge_actors, refuse_merge
    from db.actor_roster import actor_name, choose_actor
    from db.backup import Reason, back_up, list_backups
    from db.store import Store

    store = Store.open(_database(args), _officer())
    try:
        with store.reading() as session:
            keep_id, other_id = choose_actor(session, args.keep), choose_actor(session, args.other)
            keep, other = actor_name(session, keep_id), actor_name(session, other_id)
            refuse_merge(session, keep_id, other_id)  # before the backup
        made = None
        if store.path is not None:  # None: the newest is this very record
            made = back_up(store, Reason.MERGE) or list_backups(store.path)[0]
        with store.writing(f"Merge actor {other} into {keep}") as session:
            merge_actors(session, keep_id, other_id)
    finally:
        store.close()
    print(f"Merged {other} into {keep}; {other} is now an alias of {keep}.")
    if made is not None:
        print(
            f"The record was backed up first to {made.path}. To undo the merge, restore that backup (what was "
            f"changed after the merge goes with it): accord-desk restore {made.path.name} --db {store.path}"
        )
    return 0


def _import_agreement(args) -> int:
    from db.agreement_document import read_document
    from db.agreement_load import import_document
    from db.backup import Reason, back_up
    from db.store import Store

    document = read_document(args.file)  # validated whole before the database is opened for writing
    store = Store.open(_database(args), _officer())
    try:
        back_up(store, Reason.IMPORT)
        with store.writing(f"Import agreement {args.file.name}") as session:
            import_document(session, document)
    finally:
        store.close()
    print(
        f"Imported {document.agreement['title']} with {len(document.all_obligations())} clauses from {args.file}."
    )
    return 0


def _import_events(args) -> int:
    from db.event_import import import_events
    from db.status_report import choose_agreements
    from db.store import Store

    store = Store.open(_database(args), _officer())
    try:
        agreement_id = None
        if args.agreement is not None:
            with store.reading() as session:
                agreement_id = choose_agreements(session, args.agreement)[0].id
        report = import_events(
            store, args.file, dry_run=args.dry_run, skip_invalid=args.skip_invalid, agreement_id=agreement_id,
            date_order=args.date_order,
        )  # fmt: skip
    finally:
        store.close()
    print("\n".join(report.lines()))
    return 0


def _export_events(args) -> int:
    from db.actors import find_actor
    from db.event_export import export_events
    from db.event_log import EventFilter, find_obligations
    from db.status_report import choose_agreements
    from db.store import Access, Store

    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UserError(f"--from {args.date_from} is after --to {args.date_to}; swap the dates.")
    store = Store.open(_database(args), access=Access.READ)
    try:
        with store.reading() as session:
            actor_id = obligation_ids = None
            if args.actor is not None and (actor_id := find_actor(session, args.actor)) is None:
                raise UserError(
                    f"No actor is named '{args.actor}'; check the spelling, or leave out --actor."
                )
            if args.obligation is not None and not (
                obligation_ids := find_obligations(session, args.obligation)
            ):
                raise UserError(
                    f"No obligation has the clause reference '{args.obligation}'; "
                    "use a reference that 'accord-desk status' shows."
                )
            reliability, credibility = args.grade or (None, None)
            agreement_id = choose_agreements(session, args.agreement)[0].id if args.agreement else None
            wanted = EventFilter(
                text=args.text, date_from=args.date_from, date_to=args.date_to, event_type=args.type,
                actor_id=actor_id, obligation_ids=tuple(obligation_ids or ()), reliability=reliability,
                credibility=credibility, agreement_id=agreement_id,
            )  # fmt: skip
            count = export_events(session, args.output, wanted)
    finally:
        store.close()
    print(f"Exported {count:,} events to {args.output}.")
    return 0


@contextmanager
def _report(args):
    """The summary's content as the command's options choose it, with Qt ready to paint it; its reading
    stays open until the file is written (the chronology is read as it is painted, never held whole)."""
    from db.report_content import officer_summary_from, report_content
    from db.status_report import choose_agreements
    from db.store import Access, Store

    as_of = args.as_of or date.today()
    if args.since and args.since >= as_of:
        raise UserError(f"--since {args.since} is not before the as-of date {as_of}; choose an earlier date.")
    # The file's words win for this export and are not kept: the command only reads the record.
    summary = officer_summary_from(args.summary) if args.summary else None
    store = Store.open(_database(args), access=Access.READ)
    try:
        with store.reading() as session:
            agreements = choose_agreements(session, args.agreement)
            if len(agreements) > 1:
                raise UserError(
                    f"The database holds {len(agreements)} agreements; name one with --agreement "
                    f"({'; '.join(f'{a.id[:8]} {a.label}' for a in agreements)})."
                )
            content = report_content(
                session, agreements[0].id if agreements else None, as_of, args.since, args.events,
                prepared_by=args.prepared_by or _officer(), officer_summary=summary,
            )  # fmt: skip
            if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
                os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a report needs no screen
            from gui.app import application

            application()
            yield content
    finally:
        store.close()


def _export_pdf(args) -> int:
    with _report(args) as content:
        from gui.report_pdf import write_report

        pages = write_report(content, args.output, marking=args.marking, page_size=args.page_size)
    print(f"Wrote {args.output} ({pages:,} pages, status as of {content.as_of.isoformat()}).")
    return 0


def _export_docx(args) -> int:
    with _report(args) as content:
        from gui.report_docx import write_docx

        write_docx(content, args.output, marking=args.marking, page_size=args.page_size)
    print(f"Wrote {args.output} (Word, status as of {content.as_of.isoformat()}).")
    return 0


def _check(args) -> int:
    from db.integrity import check_record
    from db.store import Access, Store

    store = Store.open(_database(args), access=Access.READ)  # beside a writer, as every read
    try:
        report = check_record(store)
    finally:
        store.close()
    print("\n".join(report.lines()))
    return 0 if report.whole else 1


def _backup(args) -> int:
    from db import backup
    from db.store import Access, Store

    store = Store.open(_on_a_file(_database(args), "backup"), access=Access.READ)  # a copy only reads: beside the window too
    try:
        made = backup.copy_to(store, args.output) if args.output else backup.take(store, backup.Reason.MANUAL)
    finally:
        store.close()
    print(
        f"Backed up {store.path} to {made.path} ({backup.size_text(made.size)}: {backup.contents_text(made)})."
    )
    return 0


def _backups(args) -> int:
    from db import backup
    from db.phrasing import plural

    path = _on_a_file(_database(args), "backups")
    listed = backup.list_backups(path)
    if not listed:
        print(f"{path} has no backups yet; make one with 'accord-desk backup'.")
        return 0
    print(f"Backups of {path} in {backup.backup_folder(path)}:")
    for each in listed:
        print(
            f"  {each.taken.astimezone():%Y-%m-%d %H:%M}  {each.reason.label:<18} {backup.size_text(each.size):>8}  "
            f"{backup.contents_text(each):<28} {each.path.name}"
            + (f"  chain head {each.head[1][:12]}…" if each.head else "")
        )
    print(f"{plural(len(listed), 'backup')}, {backup.size_text(backup.total_size(listed))} in all.")
    return 0


def _assignment(args) -> int:
    from db import team_server
    from db.location import Server, parse_location
    from db.store import Access, Store

    location = parse_location(_database(args))
    if not isinstance(location, Server):
        raise DatabaseError(
            f"{location} is a database file, which has no roles (one writer at a time); assignments belong to a "
            "team database: give --db postgresql://USER@HOST/NAME."
        )
    store = Store.open(location, access=Access.WRITE)
    try:
        with store.engine.begin() as connection:
            change = team_server.assign_agreement if args.command == "assign" else team_server.unassign_agreement
            print(change(connection, args.role, args.agreement))
    finally:
        store.close()
    return 0


def _restore(args) -> int:
    from db import backup
    from db.errors import DamagedDatabaseError
    from db.store import Store, default_database_path

    path = _on_a_file(getattr(args, "db", None) or default_database_path(), "restore")
    chosen = args.backup
    if not chosen.exists() and (backup.backup_folder(path) / chosen.name).is_file():
        chosen = backup.backup_folder(path) / chosen.name
    try:
        store = Store.open(_database(args), _officer()) if path.exists() else None
    except DamagedDatabaseError:
        store = None
    if store is None:  # missing or damaged: the backup becomes a new file at the path
        checked = backup.check_backup(chosen)
        if path.exists():
            aside = backup.set_aside(path)
            print(f"{path} was damaged; it is kept as {aside}, untouched.")
        backup.restore_file(chosen, path)
        Store.open(path, _officer()).close()  # upgrades an older backup's schema
        print(f"Restored {path} from {chosen} ({backup.contents_text(checked)}).")
        return 0
    try:
        restored = backup.restore(store, chosen)
    finally:
        store.close()
    print(f"Restored {path} from {chosen} ({backup.contents_text(restored.backup)}).")
    print(f"The record it replaced is kept in {restored.kept.path}.")
    return 0


def _export_bundle(args) -> int:
    from db.bundle import export_bundle
    from db.status_report import choose_agreements
    from db.store import Access, Store

    # Beside a window that holds the file, read-only: the window has claimed the desk's id already.
    store = Store.open(_database(args), _officer(), access=Access.BEST)
    try:
        agreement_id = None
        if args.agreement:
            with store.reading() as session:
                agreement_id = choose_agreements(session, args.agreement)[0].id
        sent = export_bundle(store, args.output, since=args.since, agreement_id=agreement_id)
    finally:
        store.close()
    counts = sent.counts
    records = sum(n for name, n in counts.items() if name not in ("tombstones", "audit entries"))
    print(
        f"Wrote {args.output}: {records} records, {counts['tombstones']} deletions and {counts['audit entries']} "
        f"audit entries from desk {sent.manifest['desk'][:8]}, SHA-256 {sent.manifest['content_sha256'][:12]}…"
    )
    return 0


def _import_bundle(args) -> int:
    from db.exchange import import_bundle
    from db.merge_report import Choice, both_sides
    from db.store import Store

    store = Store.open(_database(args), _officer())
    try:
        report = import_bundle(
            store, args.file, dry_run=args.dry_run, prefer=Choice(args.prefer) if args.prefer else None
        )
    finally:
        store.close()
    print("\n".join(report.lines()))
    if report.conflicts and not report.written:
        print(
            f"accord-desk: {both_sides(len(report.conflicts))}; nothing was written. "
            "Give --prefer mine or --prefer theirs, or receive the bundle in the window to choose one by one.",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR
    return 0


def _window(args) -> int:
    path = _database(args)
    from gui.app import run_window

    return run_window(path)


COMMANDS = {
    None: _window, "init": _init, "status": _status, "deadlines": _deadlines, "audit": _audit, "actors": _actors,
    "merge-actors": _merge_actors, "import-agreement": _import_agreement,
    "import-events": _import_events, "export-events": _export_events, "export-pdf": _export_pdf,
    "export-docx": _export_docx, "export-bundle": _export_bundle, "import-bundle": _import_bundle,
    "check": _check,
    "backup": _backup, "backups": _backups, "restore": _restore, "assign": _assignment, "unassign": _assignment,
}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UserError as error:
        print(f"accord-desk: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("accord-desk: interrupted; nothing more was written.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (e.g. `| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # a defect of ours: one sentence here, the traceback in the log file
        from gui.crash_log import defect_sentence, record_defect

        logged = record_defect(sys.exc_info(), f"accord-desk {args.command or 'window'} failed")
        print(f"accord-desk: {defect_sentence(error, logged)}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
