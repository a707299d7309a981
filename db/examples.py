"""The example agreements shipped under resources/examples, loaded like any user's document."""

from importlib import resources
from pathlib import Path

from db.agreement_document import read_document
from db.agreement_load import import_document
from db.errors import UserError
from db.store import Store, remove_database_files
from db.vocabulary import Origin

EXAMPLES = ("doha-2020",)
DEFAULT_EXAMPLE = "doha-2020"


def example_path(name: str) -> Path:
    if name not in EXAMPLES:
        raise UserError(f"There is no example named '{name}'; choose one of: {', '.join(EXAMPLES)}.")
    return Path(str(resources.files("resources.examples").joinpath(f"{name}.json")))


def create_database(path: Path, example: str | None = DEFAULT_EXAMPLE, user: str | None = None) -> Store:
    """A new database, seeded with the example unless `example` is None. All or nothing."""
    if example is not None:
        source = example_path(example)  # an unknown example is refused before any file is made
    store = Store.create(path, user)
    if example is not None:
        try:
            with store.writing(f"Add example {example}") as session:
                import_document(session, read_document(source), origin=Origin.EXAMPLE)
        except BaseException:
            store.close()
            remove_database_files(path)
            raise
    return store
