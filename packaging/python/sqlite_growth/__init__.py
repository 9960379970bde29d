"""sqlite-growth for Python's sqlite3: funnels, cohort retention, RFM, CLV, lifecycle and
promotion pricing as SQL functions.

    import sqlite3, sqlite_growth
    db = sqlite3.connect("shop.db")
    sqlite_growth.load(db)

The manual, every SQL function with examples, is README.md and docs/ in the sqlite-growth
source (docs/clients.md for this package).
"""
import os
import sqlite3

from ._version import __version__

__all__ = ["load", "loadable_path", "__version__"]

_HERE = os.path.dirname(os.path.abspath(__file__))


def loadable_path() -> str:
    """The path of the extension in this package, without its suffix (.so, .dylib, .dll), as
    SQLite's load_extension() and the sqlite3 shell's .load take it; SQLite derives the entry
    point, sqlite3_growth_init, from the file name."""
    return os.path.join(_HERE, "growth")


def _loading_enabled(conn: sqlite3.Connection) -> bool:
    """Whether extension loading is on for conn. Python 3.12 can read it; before 3.12 the
    sqlite3 module cannot, and a new connection starts with it off, so that is assumed."""
    getconfig = getattr(conn, "getconfig", None)
    op = getattr(sqlite3, "SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION", None)
    return bool(getconfig(op)) if getconfig is not None and op is not None else False


def load(conn: sqlite3.Connection) -> None:
    """Load sqlite-growth into conn: turns extension loading on, loads the extension, and
    puts the setting back as it was (off, for a connection that never turned it on), so SQL
    run later on conn cannot load other extensions through load_extension().

    Raises sqlite3.OperationalError with SQLite's message if the extension cannot be loaded, and
    RuntimeError if this Python's sqlite3 module was built without extension loading."""
    if not hasattr(conn, "enable_load_extension"):
        raise RuntimeError(
            "sqlite_growth.load: this Python's sqlite3 module was built without extension loading "
            "(some macOS and pyenv builds); use a Python whose sqlite3 allows it, such as the "
            "Linux distribution's")
    was_enabled = _loading_enabled(conn)
    conn.enable_load_extension(True)
    try:
        conn.load_extension(loadable_path())
    finally:
        conn.enable_load_extension(was_enabled)
