"""The one root exception of Continuo.

Every error a listener may see carries a short line (for a status bar or a list) and a
longer explanation that says what to do about it.
"""


class ContinuoError(Exception):
    """Root of Continuo's errors: ``short`` for a status bar, ``detail`` for a dialog or log."""

    def __init__(self, short: str, detail: str = "") -> None:
        super().__init__(short)
        self.short = short
        self.detail = detail or short

    def __str__(self) -> str:
        return self.short if self.detail == self.short else f"{self.short}: {self.detail}"


class DatabaseError(ContinuoError):
    """The profile database cannot be opened, written, or is damaged.

    ``kind`` says what the listener's data is facing, so callers decide without parsing text:
    ``"busy"`` (another program holds the file), ``"cannot-write"`` (disk full, read-only file or
    folder), ``"damaged"`` (SQLite proved the file is not a database or is corrupt), ``"newer"``
    (written by a newer Continuo) or ``"other"``. Only ``"damaged"`` may ever move a file aside.
    """

    def __init__(self, short: str, detail: str = "", *, kind: str = "other") -> None:
        super().__init__(short, detail)
        self.kind = kind


class AudioError(ContinuoError):
    """A file cannot be decoded or the sound output failed."""


class ModelError(ContinuoError):
    """A recommendation model is missing, damaged or does not fit this library."""


class NewerDatabaseError(DatabaseError):
    """The profile database was written by a newer Continuo: kept as it is, never moved aside."""


class NoModelError(ModelError):
    """The profile has no personal model yet (not a refusal: Up next uses the fallbacks)."""
