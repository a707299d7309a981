"""The `accord-desk` command line as argparse reads it: commands, options and their checks.

The values a user types are checked here, so a malformed one ends in argparse's own one-line message
(exit status 2) before any command runs.
"""

import argparse
from datetime import date
from pathlib import Path

from db.errors import UserError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2020-07-13"
        ) from None



def _grade(text: str) -> tuple[str | None, str | None]:
    from db.event_rules import parse_grade

    try:
        return parse_grade(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _location(text: str):
    from db.location import parse_location

    try:
        return parse_location(text)
    except UserError as error:
        raise argparse.ArgumentTypeError(str(error)) from None



def parser() -> argparse.ArgumentParser:
    from db.examples import DEFAULT_EXAMPLE, EXAMPLES

    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--db", type=_location, metavar="FILE|URL", default=argparse.SUPPRESS,
        help="the database file (default: accord-desk.sqlite in your data folder, made on first use), "
        "or a team database: postgresql://USER@HOST/NAME (the password from ~/.pgpass)",
    )  # fmt: skip
    parser = argparse.ArgumentParser(
        prog="accord-desk",
        description="Review whether the parties to an agreement keep their commitments.",
        parents=[database],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser(
        "init", help="create a new database file, or a team database on a PostgreSQL server (postgresql://…)"
    )
    init.add_argument("file", type=_location, metavar="FILE|URL")
    seed = init.add_mutually_exclusive_group()
    seed.add_argument(
        "--example", choices=EXAMPLES, default=DEFAULT_EXAMPLE, help="seed it with this example (default)"
    )
    seed.add_argument("--empty", action="store_true", help="create it without any agreement")

    status = commands.add_parser("status", parents=[database], help="print the obligation tree with statuses")
    status.add_argument(
        "--as-of", type=_date, default=None, metavar="DATE", help="evaluate as of this date (default today)"
    )
    status.add_argument("--format", choices=("text", "json"), default="text")
    status.add_argument(
        "--agreement", metavar="ID", help="one agreement: its id (or first characters) or short title"
    )

    ahead = commands.add_parser(
        "deadlines", parents=[database], help="list the deadlines of the coming days and those overdue"
    )
    ahead.add_argument(
        "--as-of", type=_date, default=None, metavar="DATE", help="count from this date (default today)"
    )
    ahead.add_argument("--within", type=int, default=90, metavar="DAYS", help="days ahead (default 90)")
    ahead.add_argument("--format", choices=("text", "json"), default="text")
    ahead.add_argument(
        "--agreement", metavar="ID", help="one agreement: its id (or first characters) or short title"
    )

    trail = commands.add_parser(
        "audit", parents=[database], help="list the audit trail: who changed what, when"
    )
    trail.add_argument("--who", default="", help="entries by this user (part of the name)")
    trail.add_argument("--action", default="", help="entries whose action contains this text, e.g. Import")
    trail.add_argument(
        "--kind", default="", metavar="TABLE", help="entries about one kind of record, e.g. obligation"
    )
    trail.add_argument(
        "--record", default="", metavar="ID", help="entries about one record (its id or first characters)"
    )
    trail.add_argument("--since", type=_date, default=None, metavar="DATE")
    trail.add_argument("--until", type=_date, default=None, metavar="DATE")
    trail.add_argument(
        "-o", "--output", type=Path, metavar="FILE.csv", help="write every match as CSV instead"
    )

    actors = commands.add_parser(
        "actors",
        parents=[database],
        help="list every actor: aliases, events and obligations naming it, roles",
    )
    actors.add_argument("--format", choices=("text", "json"), default="text")
    merging = commands.add_parser(
        "merge-actors",
        parents=[database],
        help="merge the actor OTHER into KEEP: everything naming OTHER moves",
    )
    merging.add_argument("keep", metavar="KEEP", help="the actor kept: its name, an alias or its id")
    merging.add_argument("other", metavar="OTHER", help="the actor merged into it and then deleted")

    document = commands.add_parser(
        "import-agreement",
        parents=[database],
        help="add an agreement from a JSON document (resources/examples/FORMAT.md)",
    )
    document.add_argument("file", type=Path, metavar="FILE.json")

    sending = commands.add_parser(
        "export-bundle", parents=[database], help="write the record as one file to send to another desk"
    )
    sending.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.accord")
    sending.add_argument(
        "--agreement", metavar="ID", help="only this agreement's record: its id (or first characters) or short title"
    )
    sending.add_argument(
        "--since", type=Path, metavar="BUNDLE",
        help="only what changed after this earlier bundle between the same desks",
    )  # fmt: skip
    receiving = commands.add_parser(
        "import-bundle", parents=[database], help="merge a bundle another desk sent into the record"
    )
    receiving.add_argument("file", type=Path, metavar="FILE.accord")
    receiving.add_argument("--dry-run", action="store_true", help="say what would change and write nothing")
    receiving.add_argument(
        "--prefer", choices=("mine", "theirs"),
        help="settle every record changed on both desks with this desk's version or the other's",
    )  # fmt: skip

    events_in = commands.add_parser(
        "import-events",
        parents=[database],
        help="add or update events from an ACLED export (any layout, HDX or re-saved by Excel), a UCDP GED "
        "file or an Accord Desk CSV",
    )
    events_in.add_argument("file", type=Path, metavar="FILE.csv")
    events_in.add_argument(
        "--agreement", metavar="ID", help="put the new events under this agreement: its id (or first characters) "
        "or short title (default: under none, shown with every agreement)"
    )  # fmt: skip
    events_in.add_argument(
        "--date-order", choices=("dmy", "mdy"), default=None,
        help="how to read dates such as 05/09/2020 when no row of the file tells: dmy (day first) or mdy",
    )  # fmt: skip
    events_in.add_argument(
        "--dry-run", action="store_true", help="check the file and report what would change; write nothing"
    )
    events_in.add_argument(
        "--skip-invalid", action="store_true", help="import the valid rows and list every invalid one"
    )

    events_out = commands.add_parser(
        "export-events", parents=[database], help="write events to a CSV file, optionally filtered"
    )
    events_out.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE.csv",
        help="the file to write (replaced whole)",
    )
    events_out.add_argument(
        "--from", dest="date_from", type=_date, metavar="DATE", help="events on or after this date"
    )
    events_out.add_argument(
        "--to", dest="date_to", type=_date, metavar="DATE", help="events on or before this date"
    )
    events_out.add_argument("--type", metavar="T", help="events of this type, e.g. Battles")
    events_out.add_argument("--actor", metavar="A", help="events naming this actor (a name or an alias)")
    events_out.add_argument(
        "--obligation", metavar="REF", help="events linked to the obligation with this clause reference"
    )
    events_out.add_argument(
        "--grade", type=_grade, metavar="G", help="events whose source is graded so: B2, or B, or 2"
    )
    events_out.add_argument(
        "--text", metavar="T", default="", help="events whose notes, place, source or actors contain T"
    )
    events_out.add_argument(
        "--agreement", metavar="ID", help="the events of this agreement's log: put under it, under none, or "
        "linked to its obligations"
    )  # fmt: skip

    report = argparse.ArgumentParser(add_help=False)  # the options of the summary, as PDF or Word
    report.add_argument(
        "--agreement", metavar="ID", help="the agreement: its id (or first characters) or short title"
    )
    report.add_argument(
        "--as-of", type=_date, default=None, metavar="DATE", help="status as of this date (default today)"
    )
    report.add_argument(
        "--since", type=_date, default=None, metavar="DATE", help="report what changed since this date"
    )
    report.add_argument(
        "--events", choices=("linked", "all"), default="linked", help="chronology of linked or of all events"
    )
    report.add_argument(
        "--marking", default="", metavar="TEXT", help='a marking for every page, e.g. "UNCLASSIFIED"'
    )
    report.add_argument("--page-size", choices=("a4", "letter"), default="a4")
    report.add_argument(
        "--summary", type=Path, metavar="FILE.txt", help="the officer's own assessment, in words, shown verbatim"
    )
    report.add_argument(
        "--prepared-by", metavar="NAME, UNIT", help="who prepared it (default: the officer named in the settings)"
    )
    for name, suffix, what in (("export-pdf", "pdf", "the PDF"), ("export-docx", "docx", "a Word copy of the")):
        command = commands.add_parser(name, parents=[database, report], help=f"write {what} compliance summary")
        command.add_argument(
            "-o", "--output", type=Path, required=True, metavar=f"FILE.{suffix}", help="the file to write (replaced whole)"
        )

    commands.add_parser(
        "check", parents=[database],
        help="check the record is whole: the file, the record's rules, the audit trail's chain, every row audited",
    )  # fmt: skip
    copy = commands.add_parser(
        "backup", parents=[database], help="copy the database into its backups folder (or to -o FILE)"
    )
    copy.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write the copy here instead (replaced whole)"
    )
    commands.add_parser(
        "backups", parents=[database], help="list the database's backups: when, size, what they hold"
    )
    restore = commands.add_parser(
        "restore", parents=[database], help="replace the record with a backup (the record is backed up first)"
    )
    restore.add_argument(
        "backup", type=Path, metavar="BACKUP", help="a backup file, or its name in the listing"
    )
    for name, what in (("assign", "let a database role edit an agreement"),
                       ("unassign", "take an agreement from a database role")):  # fmt: skip
        command = commands.add_parser(name, parents=[database], help=f"{what} (a team database; administrators only)")
        command.add_argument("role", metavar="ROLE", help="the officer's database role")
        command.add_argument("agreement", metavar="AGREEMENT", help="the agreement's id, title or short title")
    return parser
