"""Errors a user can fix. Their message is one sentence: what is wrong, where, what to do."""


class UserError(Exception):
    """Shown to the user as it is; never a traceback."""


class DatabaseError(UserError):
    """The database file cannot be used as it is."""


class DocumentError(UserError):
    """An agreement document (JSON) is not valid."""


class RecordError(UserError):
    """A change would break a rule of the record (e.g. a duplicate clause reference)."""


class ImportFileError(UserError):
    """A file to import cannot be read, or holds rows that cannot be imported."""


class ImportCancelled(UserError):
    """The officer cancelled an import; nothing was written."""


class ExportCancelled(UserError):
    """The officer cancelled an export; no file was written."""

    def __init__(self, message: str = "The export was cancelled; no file was written."):
        super().__init__(message)


class StaleRecordError(RecordError):
    """A row an edit or undo would overwrite was changed since it was read (another desk, an import)."""


class StorageError(DatabaseError):
    """The database refused a write or a read: locked by another program, the disk full, a read-only file."""


class DamagedDatabaseError(DatabaseError):
    """SQLite reports the file as damaged (not merely unreadable, locked or read-only)."""


class DatabaseInUseError(DatabaseError):
    """Another process holds the database for writing; the message names who, where and since when."""

    def __init__(self, message: str, holder: str):
        super().__init__(message)
        self.holder = holder  # "… is open in Accord Desk by ana on desk-3 since 09:14"


class DateOrderUnknown(ImportFileError):
    """A file's dates could be day/month or month/day and none of its rows tells which: the officer says."""
