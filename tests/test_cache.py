"""The workspace cache: data only, rebuilt when damaged, shared safely by concurrent runs."""

from __future__ import annotations

import hashlib
import os
import pickle
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from briefkit.check import cache
from briefkit.check.bib import load_bibliography
from briefkit.cli import app

CACHE = ".briefkit-cache"
DATABASE = f"{CACHE}/cache.sqlite"
QUOTE = 'NAFTA was "the worst trade deal in history" [@oneil2017standoff].'


class Planted:
    """A pickle whose loading creates ``marker`` (what a hostile cache file would do)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def check_output(*args: str) -> str:
    """Run ``briefkit check -v`` in the current workspace; return its output."""
    result = CliRunner().invoke(app, ["check", "--verbose", *args])
    assert result.exit_code in (0, 1), result.output
    return result.output


def without_cache_notes(output: str) -> list[str]:
    """The lines of a text report but its notes about the cache."""
    return [line for line in output.splitlines() if not line.startswith("note: cache ")]


def cache_notes(output: str) -> list[str]:
    """The notes about the cache in a text report."""
    return [line for line in output.splitlines() if line.startswith("note: cache ")]


def execute(workspace: Path, sql: str, *parameters: object) -> None:
    """Run one statement on the workspace's cache database."""
    with closing(sqlite3.connect(workspace / DATABASE)) as database, database:
        database.execute(sql, parameters)


def count(workspace: Path, table: str) -> int:
    """How many rows ``table`` of the workspace's cache database holds."""
    with closing(sqlite3.connect(workspace / DATABASE)) as database:
        rows: int = database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return rows


def legacy_names(workspace: Path) -> list[str]:
    """Every cache file name the pickle format used for this workspace."""
    bib = workspace / "references.bib"
    raw = bib.read_bytes()
    names = ["manifest.pickle", f"bib/{hashlib.sha256(raw + b'bib1').hexdigest()[:32]}.pickle"]
    digests = {}
    for key in load_bibliography(bib).entries:
        paths = [p for p in load_bibliography(bib).source_paths(key) if p.is_file()]
        if paths:
            digests[key] = hashlib.sha256(paths[0].read_bytes()).hexdigest()
            names.append(f"sources/{digests[key][:32]}-v4.pickle")
    signature = hashlib.sha256(repr(sorted(digests.items())).encode() + b"4").hexdigest()[:32]
    return [*names, f"index/{signature}.pickle"]


def test_planted_pickles_never_run(workspace: Path, tmp_path: Path) -> None:
    """Pickles at every old and new cache file name run no code; the cache is rebuilt."""
    clean = check_output()
    shutil.rmtree(workspace / CACHE)
    marker = tmp_path / "pwned"
    control = tmp_path / "control"
    pickle.loads(pickle.dumps(Planted(control)))
    assert control.exists()  # the payload is live
    payload = pickle.dumps(Planted(marker))
    for name in [*legacy_names(workspace), "cache.sqlite", "cache.sqlite-wal"]:
        target = workspace / CACHE / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(payload)
    output = check_output()
    assert not marker.exists()
    assert without_cache_notes(output) == without_cache_notes(clean)
    assert any("rebuilt" in note for note in cache_notes(output))
    assert not (workspace / CACHE / "manifest.pickle").exists()
    assert not (workspace / CACHE / "sources").exists()
    assert cache_notes(check_output()) == []  # rebuilt for good
    assert not marker.exists()


def random_bytes(workspace: Path) -> None:
    """Replace the database with random bytes."""
    (workspace / DATABASE).write_bytes(random.Random(1).randbytes(8192))


def truncated(workspace: Path) -> None:
    """Cut the database in half."""
    path = workspace / DATABASE
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def future_version(workspace: Path) -> None:
    """Mark the database as written by a later format."""
    execute(workspace, "UPDATE meta SET value = 'briefkit-cache 999' WHERE name = 'format'")


def copied(workspace: Path) -> None:
    """Replace the database with a copy of itself, as a checkout would."""
    path = workspace / DATABASE
    shutil.copy(path, path.with_suffix(".copy"))
    path.with_suffix(".copy").replace(path)


def with_trigger(workspace: Path) -> None:
    """Add a trigger to the database's schema."""
    execute(workspace, "CREATE TRIGGER planted AFTER INSERT ON sources BEGIN "
                       "DELETE FROM manifest; END")


def tampered_records(workspace: Path) -> None:
    """Overwrite every source record with random bytes."""
    execute(workspace, "UPDATE sources SET data = ?", random.Random(2).randbytes(300))


def wrong_shape(workspace: Path) -> None:
    """Overwrite every source and bibliography record with a record of another shape."""
    execute(workspace, "UPDATE sources SET data = ?", msgspec.msgpack.encode({"text": 1}))
    execute(workspace, "UPDATE bibliographies SET data = ?", msgspec.msgpack.encode([1, 2, 3]))


def text_for_bytes(workspace: Path) -> None:
    """Store every source record as text instead of bytes."""
    execute(workspace, "UPDATE sources SET data = 'a text'")


def huge_numbers(workspace: Path) -> None:
    """Give the index positions no 64-bit integer can hold (OverflowError on loading)."""
    with closing(sqlite3.connect(workspace / DATABASE)) as database:
        (data,) = database.execute("SELECT data FROM indexes").fetchone()
    record = msgspec.msgpack.decode(data)
    record[2] = [2**64 - 1] * len(record[2])
    execute(workspace, "UPDATE indexes SET data = ?", msgspec.msgpack.encode(record))


def models_off_the_text(workspace: Path) -> None:
    """Give every alignment model sentence spans beyond its text and counts that do not fit."""
    record = msgspec.msgpack.encode([[[0, 10**9]], [{"trade": 1}, {"border": 2}]])
    execute(workspace, "UPDATE models SET data = ?", record)


@pytest.mark.parametrize("damage", [random_bytes, truncated, future_version, copied, with_trigger,
                                    tampered_records, wrong_shape, text_for_bytes, huge_numbers,
                                    models_off_the_text])
def test_damaged_cache_is_rebuilt(workspace: Path, damage: Callable[[Path], None]) -> None:
    """A damaged, foreign or future cache is noted, rebuilt, and gives the clean report."""
    brief = workspace / "briefs" / "planted.md"
    brief.write_text(f"---\ntitle: Planted\n---\n\n{QUOTE.replace('worst', 'best')}\n",
                     encoding="utf-8")  # a misquote: the corpus index is built and cached
    clean = check_output()
    assert not (workspace / f"{DATABASE}-wal").exists()  # the run closed its database
    damage(workspace)
    output = check_output()
    assert without_cache_notes(output) == without_cache_notes(clean)
    notes = cache_notes(output)
    assert notes
    assert all(n.startswith(f"note: cache {CACHE} ") and n.endswith("; rebuilt") for n in notes)
    assert without_cache_notes(check_output()) == without_cache_notes(clean)
    assert cache_notes(check_output()) == []


def test_unwritable_cache_folder_is_no_error(workspace: Path) -> None:
    """A cache path that is a file means working without a cache, with the same report."""
    clean = check_output()
    shutil.rmtree(workspace / CACHE)
    (workspace / CACHE).write_text("not a folder", encoding="utf-8")
    assert check_output() == clean


@pytest.mark.parametrize("how", ["touch -r", "cp -p"])
def test_edit_keeping_size_and_mtime_is_seen(workspace: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """A source edited with its size and modification time kept is read again."""
    monkeypatch.setattr(cache, "SETTLE_NS", 0)  # remember stamps at once, as for old files
    brief = workspace / "briefs" / "planted.md"
    brief.write_text(f"---\ntitle: Planted\n---\n\n{QUOTE}\n", encoding="utf-8")
    assert check_output("briefs/planted.md").endswith(", 0 errors\n")
    seed = workspace / "seeds" / "oneil-2017-mexican-standoff.txt"
    assert count(workspace, "manifest") > 0
    before = seed.stat()
    edited = seed.read_text(encoding="utf-8").replace("worst trade deal", "wurst trade deal")
    if how == "touch -r":
        seed.write_text(edited, encoding="utf-8")
        os.utime(seed, ns=(before.st_atime_ns, before.st_mtime_ns))
    else:
        copy = tmp_path / "edited.txt"
        copy.write_text(edited, encoding="utf-8")
        os.utime(copy, ns=(before.st_atime_ns, before.st_mtime_ns))
        shutil.copy2(copy, seed)
    after = seed.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert "misquoted" in check_output("briefs/planted.md")


def test_gitignore_keeps_the_cache_out_of_git(workspace: Path) -> None:
    """The cache folder ignores itself: `git add -A` stages none of it."""
    check_output()
    assert "*" in (workspace / CACHE / ".gitignore").read_text(encoding="utf-8").splitlines()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=workspace, check=True)
    subprocess.run([*git, "add", "-A"], cwd=workspace, check=True)
    staged = subprocess.run([*git, "diff", "--cached", "--name-only"], cwd=workspace, check=True,
                            capture_output=True, text=True).stdout.splitlines()
    assert "references.bib" in staged
    assert not [name for name in staged if name.startswith(CACHE)]


def briefkit(*args: str) -> list[str]:
    """The command line that runs briefkit in a child process."""
    return [sys.executable, "-m", "briefkit", *args]


def test_concurrent_cold_runs_agree(workspace: Path) -> None:
    """Six check processes started at once on a cold cache give six identical reports."""
    brief = workspace / "briefs" / "planted.md"
    brief.write_text(f"---\ntitle: Planted\n---\n\n{QUOTE.replace('worst', 'best')}\n",
                     encoding="utf-8")
    processes = [subprocess.Popen(briefkit("check", "--verbose"), cwd=workspace,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(6)]
    results = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [1] * 6
    assert [err for _, err in results] == [""] * 6
    reports = {out for out, _ in results}
    assert len(reports) == 1
    (report,) = reports
    assert "misquoted" in report and "note:" not in report
    assert subprocess.run(briefkit("check", "--verbose"), cwd=workspace, capture_output=True,
                          text=True).stdout == report


WORDS = ("trade", "border", "water", "energy", "migration", "investment", "security", "tariff",
         "treaty", "labour", "industry", "harvest", "railway", "harbour", "customs", "republic")


def generated_workspace(root: Path, sources: int) -> None:
    """A workspace of ``sources`` generated texts and a brief quoting some of them."""
    rng = random.Random(7)
    (root / "seeds").mkdir(parents=True)
    (root / "briefs").mkdir()
    entries = []
    for number in range(sources):
        sentences = [f"The {rng.choice(WORDS)} of {rng.choice(WORDS)} rose by "
                     f"{rng.randint(2, 90)} percent in {rng.randint(1900, 2020)} while "
                     + " ".join(rng.choice(WORDS) for _ in range(14)) + "."
                     for _ in range(150)]
        (root / "seeds" / f"s{number:03}.txt").write_text("\n".join(sentences), encoding="utf-8")
        entries.append(f"@misc{{s{number:03},\n  title = {{Source {number}}},\n"
                       f"  file = {{seeds/s{number:03}.txt}}\n}}\n")
    (root / "references.bib").write_text("\n".join(entries), encoding="utf-8")
    lines = []
    for number in (3, 50, 120):
        text = (root / "seeds" / f"s{number:03}.txt").read_text(encoding="utf-8")
        first = text.splitlines()[5]
        lines.append(f'One source says "{first}" [@s{number:03}].')
    lines.append(f'Another says "{first}" [@s004].')  # found in another source
    (root / "briefs" / "generated.md").write_text(
        "---\ntitle: Generated\n---\n\n" + "\n\n".join(lines) + "\n", encoding="utf-8")
    (root / "briefkit.toml").write_text('bibliography = "references.bib"\n', encoding="utf-8")


@pytest.mark.slow
def test_killed_cold_run_leaves_a_usable_cache(tmp_path: Path) -> None:
    """A cold check killed half-way leaves a cache from which the next run is correct."""
    killed, fresh = tmp_path / "killed", tmp_path / "fresh"
    generated_workspace(killed, 300)
    shutil.copytree(killed, fresh)
    process = subprocess.Popen(briefkit("check", "--verbose"), cwd=killed, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    database = killed / DATABASE
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if database.exists() and _stored_sources(database) > 0:
            break
        time.sleep(0.005)
    assert process.poll() is None, "the run ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert _stored_sources(database) < 300  # killed half-way through preparing the corpus
    after = subprocess.run(briefkit("check", "--verbose"), cwd=killed, capture_output=True,
                           text=True)
    expected = subprocess.run(briefkit("check", "--verbose"), cwd=fresh, capture_output=True,
                              text=True)
    assert after.stderr == expected.stderr == ""
    assert (after.returncode, after.stdout) == (expected.returncode, expected.stdout)
    assert "but is in s120" in expected.stdout and "3 verified" in expected.stdout


def _stored_sources(database: Path) -> int:
    """How many source records ``database`` holds (0 while it has no tables yet)."""
    try:
        with closing(sqlite3.connect(database, timeout=5)) as connection:
            stored: int = connection.execute("SELECT count(*) FROM sources").fetchone()[0]
            return stored
    except sqlite3.Error:
        return 0
