"""The `accord-desk` command: the window, and subcommands that work without a display.

Qt is imported only when the window opens, so `status` and friends run on a bare server. A user's
mistake ends in one sentence on stderr and exit status 1 (2 for a malformed command line).
"""

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from db.errors import UserError

EXIT_USER_ERROR = 1


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2020-07-13") from None


def _parser() -> argparse.ArgumentParser:
    from db.examples import DEFAULT_EXAMPLE, EXAMPLES

    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--db", type=Path, metavar="FILE", default=argparse.SUPPRESS,
        help="the database file (default: accord-desk.sqlite in your data folder, made on first use)",
    )  # fmt: skip
    parser = argparse.ArgumentParser(
        prog="accord-desk",
        description="Review whether the parties to an agreement keep their commitments.",
        parents=[database],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser("init", help="create a new database file")
    init.add_argument("file", type=Path, metavar="FILE")
    seed = init.add_mutually_exclusive_group()
    seed.add_argument("--example", choices=EXAMPLES, default=DEFAULT_EXAMPLE, help="seed it with this example (default)")
    seed.add_argument("--empty", action="store_true", help="create it without any agreement")

    status = commands.add_parser("status", parents=[database], help="print the obligation tree with statuses")
    status.add_argument("--as-of", type=_date, default=None, metavar="DATE", help="evaluate as of this date (default today)")
    status.add_argument("--format", choices=("text", "json"), default="text")
    status.add_argument("--agreement", metavar="ID", help="one agreement: its id (or first characters) or short title")

    document = commands.add_parser(
        "import-agreement", parents=[database], help="add an agreement from a JSON document (resources/examples/FORMAT.md)"
    )
    document.add_argument("file", type=Path, metavar="FILE.json")
    return parser


def _database(args: argparse.Namespace) -> Path:
    """The --db file, or the default one, created with the example on first use."""
    from db.examples import create_database
    from db.store import default_database_path, inspect_file

    path = getattr(args, "db", None)
    if path is None:
        path = default_database_path()
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            create_database(path).close()
    inspect_file(path)
    return path


def _init(args) -> int:
    from db.examples import create_database

    store = create_database(args.file, None if args.empty else args.example)
    store.close()
    what = "empty" if args.empty else f"with the example {args.example}"
    print(f"Created {args.file} ({what}).")
    return 0


def _status(args) -> int:
    from db.status_report import format_text, status_report
    from db.store import Store

    store = Store.open(_database(args))
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


def _import_agreement(args) -> int:
    from db.agreement_document import import_document, read_document
    from db.store import Store

    document = read_document(args.file)  # validated whole before the database is opened for writing
    store = Store.open(_database(args))
    try:
        with store.writing(f"Import agreement {args.file.name}") as session:
            import_document(session, document)
    finally:
        store.close()
    print(f"Imported {document.agreement['title']} with {len(document.all_obligations())} clauses from {args.file}.")
    return 0


def _window(args) -> int:
    path = _database(args)
    from gui.app import run_window

    return run_window(path)


COMMANDS = {None: _window, "init": _init, "status": _status, "import-agreement": _import_agreement}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
