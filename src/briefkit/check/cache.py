"""The workspace cache: one SQLite database of typed msgspec records that only save time.

Everything in a workspace is untrusted, the cache folder included, so nothing read from it can run
code: records are MessagePack decoded by msgspec into declared types (a record of the wrong shape
is refused), and the database is opened with ``trusted_schema`` off and refused unless its schema
is exactly ours (no triggers, no views). Whatever cannot be read is treated as missing and rebuilt:
a file that is not a database, a truncated one, a database of another format, a record of another
schema, random bytes. The first such problem of a run leaves a one-line note (`Store.notes`).

The database remembers the inode it was created with: a database that was copied or checked out
of a repository has another inode, so it is discarded rather than trusted. Its folder gets a
``.gitignore`` holding ``*`` so that ``git add -A`` leaves it out.

Concurrent runs share one database: SQLite's write-ahead log gives one writer and many readers,
every record is written by one statement (a reader sees all of it or none of it) and writers wait
for each other (`BUSY_SECONDS`). A folder or database that cannot be written means working without
a cache, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import msgspec

# The layout of the database (tables and meta rows); records carry their own schema fingerprint.
FORMAT = "briefkit-cache 2"
DATABASE = "cache.sqlite"
GITIGNORE = "# Created by briefkit: the cache is rebuilt as needed; never commit it.\n*\n"
BUSY_SECONDS = 30.0
MAX_DISCARDS = 3  # a database that is damaged again and again is given up for the run
RECORD_TABLES = ("sources", "models", "indexes", "bibliographies")
# Files of the pickle format that preceded this one; they are deleted, never read.
LEGACY_FILES = ("manifest.pickle",)
LEGACY_FOLDERS = ("sources", "index", "bib")

_TABLES = {
    "meta": "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "manifest": "CREATE TABLE manifest (path TEXT PRIMARY KEY, size INTEGER NOT NULL, "
                "mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, "
                "digest TEXT NOT NULL)",
    **{name: f"CREATE TABLE {name} (key TEXT PRIMARY KEY, schema TEXT NOT NULL, data BLOB NOT NULL)"
       for name in RECORD_TABLES},
}
# What a hostile record can make decoding or conversion raise; each means "rebuild it".
DAMAGED = (msgspec.DecodeError, ValueError, TypeError, OverflowError, MemoryError, RecursionError,
           IndexError, KeyError)

Record = TypeVar("Record", bound=msgspec.Struct)
Value = TypeVar("Value")
FileStamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
# A file changed this recently may change again within the same tick of the file system's clock
# (1 s on some, a few ms on others) and keep its stamp, so its stamp is not remembered yet.
SETTLE_NS = 2_000_000_000


class StoredRecord(msgspec.Struct, array_like=True, frozen=True):
    """The base of every record a module keeps here: immutable, and stored as a compact array.

    Modules declare their records as subclasses, so that msgspec stays this module's own; a
    subclass repeats ``frozen=True`` for the type checker (msgspec inherits it anyway).
    """


class Store:
    """One workspace's cache database, opened on first use.

    ``label`` names the folder in notes (the workspace-relative path). Reads return None for
    anything missing or unusable; writes that fail are ignored.
    """

    def __init__(self, folder: Path, *, label: str | None = None) -> None:
        self.folder = folder
        self.label = label or str(folder)
        self._connection: sqlite3.Connection | None = None
        self._opened = False
        self._discards = 0
        self._notes: list[str] = []

    @property
    def path(self) -> Path:
        """The database file."""
        return self.folder / DATABASE

    @property
    def notes(self) -> tuple[str, ...]:
        """What was found unreadable and rebuilt during this run, one line each."""
        return tuple(self._notes)

    def load(self, table: str, key: str, kind: type[Record],
             convert: Callable[[Record], Value]) -> Value | None:
        """The record ``key`` of ``table`` decoded as ``kind`` and passed through ``convert``.

        None when there is no such record, when it was written under another schema, or when it
        cannot be decoded or converted (then it is noted; ``convert`` may raise any of `DAMAGED`).
        """
        row = self._fetch(f"SELECT schema, data FROM {_table(table)} WHERE key = ?", (key,))
        if row is None:
            return None
        schema, data = row
        if schema != fingerprint(kind):
            return None  # written by another version of briefkit
        try:
            if not isinstance(data, bytes):
                raise TypeError(f"a {type(data).__name__} where bytes belong")
            return convert(_decoder(kind).decode(data))
        except DAMAGED as exc:
            self._note(f"had an unreadable {table} record ({_reason(exc)})")
            return None

    def save(self, table: str, key: str, record: msgspec.Struct) -> None:
        """Store ``record`` as ``key`` of ``table``, replacing any record there."""
        data = _ENCODER.encode(record)
        self._write(f"INSERT OR REPLACE INTO {_table(table)} (key, schema, data) VALUES (?, ?, ?)",
                    [(key, fingerprint(type(record)), data)])

    def keep_only(self, table: str, key: str) -> None:
        """Delete every record of ``table`` but ``key`` (for records that supersede others)."""
        self._write(f"DELETE FROM {_table(table)} WHERE key != ?", [(key,)])

    def manifest(self) -> dict[str, tuple[FileStamp, str]]:
        """Every remembered file: its path, its stamp and the SHA-256 of its bytes."""
        rows = self._fetch_all("SELECT path, size, mtime_ns, ctime_ns, inode, digest FROM manifest")
        known: dict[str, tuple[FileStamp, str]] = {}
        for path, size, mtime, ctime, inode, digest in rows:
            stamp = (size, mtime, ctime, inode)
            if isinstance(path, str) and isinstance(digest, str) and _all_int(stamp):
                known[path] = (stamp, digest)
        return known

    def remember(self, files: Iterable[tuple[str, FileStamp, str]]) -> None:
        """Add or replace manifest rows: path, stamp, digest."""
        self._write("INSERT OR REPLACE INTO manifest (path, size, mtime_ns, ctime_ns, inode, "
                    "digest) VALUES (?, ?, ?, ?, ?, ?)",
                    [(path, *stamp, digest) for path, stamp, digest in files])

    def close(self) -> None:
        """Close the database (it is opened again on next use)."""
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
        self._connection = None
        self._opened = False

    # Reading and writing -----------------------------------------------------------------------

    def _fetch(self, sql: str, parameters: Sequence[object]) -> Any:
        rows = self._fetch_all(sql, parameters, limit=1)
        return rows[0] if rows else None

    def _fetch_all(self, sql: str, parameters: Sequence[object] = (), *,
                   limit: int | None = None) -> list[Any]:
        connection = self._connect()
        if connection is None:
            return []
        try:
            cursor = connection.execute(sql, parameters)
            return cursor.fetchmany(limit) if limit else cursor.fetchall()
        except sqlite3.OperationalError:
            return []  # locked for too long, or an I/O error: work without this record
        except sqlite3.DatabaseError as exc:
            self._discard_damaged(f"was unreadable ({exc})")
            return []

    def _write(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        connection = self._connect()
        if connection is None or not rows:
            return
        try:
            _transaction(connection, sql, rows)
        except sqlite3.OperationalError:
            pass  # read-only, full or locked for too long: the cache only saves time
        except sqlite3.DatabaseError as exc:
            self._discard_damaged(f"was unreadable ({exc})")

    def _note(self, problem: str) -> None:
        note = f"cache {self.label} {problem}; rebuilt"
        if note not in self._notes:
            self._notes.append(note)

    # Opening -----------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection | None:
        if not self._opened and self._discards < MAX_DISCARDS:
            self._opened = True
            self._connection = self._open()
        return self._connection

    def _open(self) -> sqlite3.Connection | None:
        try:
            prepare_folder(self.folder)
        except OSError:
            return None
        if _remove_legacy(self.folder):
            self._note("was in an older format")
        for _ in range(3):
            identity = _identity(self.path)
            try:
                connection = sqlite3.connect(self.path, timeout=BUSY_SECONDS,
                                             isolation_level=None, check_same_thread=False)
            except sqlite3.Error:
                return None
            try:
                problem = _prepare(connection, self.path)
            except sqlite3.OperationalError:
                connection.close()
                return None  # locked for too long, or not writable: no cache this run
            except sqlite3.DatabaseError as exc:
                problem = f"was unreadable ({exc})"
            if problem is None:
                return connection
            connection.close()
            self._note(problem)
            _discard(self.path, identity)
        return None

    def _discard_damaged(self, problem: str) -> None:
        """Drop a database found damaged while in use and start again with a new one."""
        identity = _identity(self.path)
        self.close()
        self._discards += 1
        self._note(problem)
        _discard(self.path, identity)


def prepare_folder(folder: Path) -> None:
    """Create the cache folder if needed, with a ``.gitignore`` that ignores all of it.

    Raises `OSError` when the folder cannot be created.
    """
    folder.mkdir(parents=True, exist_ok=True)
    _sweep_once(folder)
    ignore = folder / ".gitignore"
    if ignore.exists() or ignore.is_symlink():
        return
    temporary = folder / f".gitignore.{os.getpid()}.tmp"
    try:
        temporary.write_text(GITIGNORE, encoding="utf-8")
        temporary.replace(ignore)
    except OSError:
        pass  # a folder we cannot write to is a cache we will not use
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


@cache
def _sweep_once(folder: Path) -> None:
    """Remove the temporary files of killed runs from ``folder``, once per run."""
    from ..workspace import sweep_temporaries

    sweep_temporaries(folder, recursive=True)


def file_stamp(stat: os.stat_result) -> FileStamp:
    """What identifies one version of a file without reading it.

    The change time is set by the system on every write and cannot be set back by user tools
    (``touch``, ``cp -p``), and the inode changes when a file is replaced or checked out again.
    """
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def settled(stamp: FileStamp) -> bool:
    """True when the file was last changed long enough ago for its stamp to be remembered."""
    return time.time_ns() - stamp[2] > SETTLE_NS


@cache
def fingerprint(kind: type[msgspec.Struct]) -> str:
    """A short hash of the shape of ``kind`` (field names and types, nested types included)."""
    schema = _strip_docs(msgspec.json.schema(kind))
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()[:16]


def _strip_docs(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _strip_docs(v) for k, v in schema.items() if k not in ("description", "title")}
    if isinstance(schema, list):
        return [_strip_docs(v) for v in schema]
    return schema


_ENCODER = msgspec.msgpack.Encoder()


@cache
def _decoder(kind: type[Record]) -> msgspec.msgpack.Decoder[Record]:
    return msgspec.msgpack.Decoder(kind)


def _table(name: str) -> str:
    if name not in RECORD_TABLES:
        raise ValueError(f"no cache table {name!r}")
    return name


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:80]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _all_int(values: Iterable[object]) -> bool:
    return all(type(value) is int for value in values)


def _prepare(connection: sqlite3.Connection, path: Path) -> str | None:
    """Make ``connection`` ready; return why the database cannot be used, or None.

    Raises `sqlite3.DatabaseError` for a file that is not a database or is damaged.
    """
    connection.execute("PRAGMA trusted_schema = OFF")
    if not _schema(connection):
        _create(connection, path)
    schema = _schema(connection)
    if schema != _TABLES:
        return "was unreadable (not a briefkit cache database)"
    meta = dict(connection.execute("SELECT name, value FROM meta").fetchall())
    if meta.get("format") != FORMAT:
        return f"was written by another version ({str(meta.get('format'))[:40]})"
    if meta.get("inode") != str(_inode(path)):
        return "was copied from elsewhere"
    connection.execute("PRAGMA synchronous = NORMAL")
    return None


def _schema(connection: sqlite3.Connection) -> dict[str, str] | None:
    """The tables of the database, or None when it holds nothing at all.

    Anything but tables and their automatic indexes (a view, a trigger) makes the schema
    unrecognisable, so it is returned as a table named after its type.
    """
    rows = connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    if not rows:
        return None
    found: dict[str, str] = {}
    for kind, name, sql in rows:
        if kind == "index" and sql is None and str(name).startswith("sqlite_autoindex_"):
            continue
        found[str(name) if kind == "table" else f"{kind}:{name}"] = str(sql)
    return found


def _create(connection: sqlite3.Connection, path: Path) -> None:
    """Create our tables in an empty database (another process may be doing the same)."""
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("BEGIN IMMEDIATE")
    try:
        if not _schema(connection):
            for sql in _TABLES.values():
                connection.execute(sql)
            connection.executemany("INSERT INTO meta (name, value) VALUES (?, ?)",
                                   [("format", FORMAT), ("inode", str(_inode(path)))])
        connection.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        raise


def _transaction(connection: sqlite3.Connection, sql: str,
                 rows: Sequence[Sequence[object]]) -> None:
    """Run ``sql`` for every row in one write transaction: all rows are written or none."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.executemany(sql, rows)
        connection.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        raise


def _inode(path: Path) -> int:
    try:
        return path.stat().st_ino
    except OSError:
        return -1


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the cache folder's lock file where the system has one."""
    try:
        import fcntl
    except ImportError:  # not on Windows: there, replacement is best effort
        yield
        return
    try:
        handle = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _discard(path: Path, identity: tuple[int, int] | None) -> None:
    """Delete the database at ``path`` (and its log files) if it is still the one judged bad.

    Another process may have replaced it already; a newer database is left alone.
    """
    with _locked(path.parent):
        if _identity(path) != identity:
            return
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                path.with_name(path.name + suffix).unlink()


def _remove_legacy(folder: Path) -> bool:
    """Delete the files of the old pickle format (never read); True if there were any."""
    found = [folder / name for name in LEGACY_FILES]
    for name in LEGACY_FOLDERS:
        candidate = folder / name
        if candidate.is_dir() and not candidate.is_symlink():  # a link is never followed
            with contextlib.suppress(OSError):
                found += [entry for entry in candidate.iterdir() if entry.suffix == ".pickle"]
    removed = False
    for entry in found:
        with contextlib.suppress(OSError):
            if entry.is_symlink() or entry.is_file():
                entry.unlink()
                removed = True
    for name in LEGACY_FOLDERS:
        with contextlib.suppress(OSError):
            (folder / name).rmdir()  # only when empty
    return removed
