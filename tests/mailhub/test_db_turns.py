"""The queue writers' turns on a SQLite file: a writer in another process, a forked one included
(a fork shares its parent's open files, and flock locks belong to the open file), waits for the turn
and then writes; it neither slips in beside the holder nor fails with 'database is locked'."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from mailhub.db import make_engine, write_turns


def _writer(url: str, asking: Any, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    engine = make_engine(url)
    turn = write_turns(engine)
    asking.set()
    with turn() as connection:
        got = time.monotonic()
        connection.execute(text("INSERT INTO t VALUES (2)"))
    out.put(got)


def _forked_writer(turn: Any, engine: Any, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    # SQLite itself must not be used across a fork (its locks are the parent's): only the turn is tried
    engine.dispose(close=False)
    with turn():
        out.put(time.monotonic())


def test_a_writer_in_another_process_waits_for_the_turn_then_writes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    turn = write_turns(engine)
    with turn() as connection:
        connection.execute(text("INSERT INTO t VALUES (0)"))  # this process's lock file is open from here on
    spawn, fork = multiprocessing.get_context("spawn"), multiprocessing.get_context("fork")
    spawned, forked, asking = spawn.Queue(), fork.Queue(), spawn.Event()
    with turn() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        writer = spawn.Process(target=_writer, args=(url, asking, spawned))
        writer.start()
        child = fork.Process(target=_forked_writer, args=(turn, engine, forked))
        child.start()
        assert asking.wait(30)
        time.sleep(0.4)  # the holder takes its time: the others wait, they do not fail
        released = time.monotonic()
    assert forked.get(timeout=20) >= released
    assert spawned.get(timeout=20) >= released
    for process in (writer, child):
        process.join(10)
        assert process.exitcode == 0
    with engine.connect() as connection:
        assert sorted(row[0] for row in connection.execute(text("SELECT x FROM t"))) == [0, 1, 2]


def test_without_a_lock_file_the_writer_still_writes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    engine = make_engine(f"sqlite:///{home / 'queue.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    (home / "queue.db-write.lock").mkdir()  # cannot be opened as a file: no turns, plain transactions
    with write_turns(engine)() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
