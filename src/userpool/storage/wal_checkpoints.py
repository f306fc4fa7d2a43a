"""SQLite's WAL checkpoint, run in a thread of its own after a bulk write.

A COMMIT on SQLite appends the pages it wrote to the write-ahead log; once the log holds over
1,000 pages, that COMMIT also copies the log's pages into the database (a checkpoint) before
it returns. An import batch writes tens of thousands of pages, so each batch waited for its
checkpoint: a third of an import's time. Its COMMIT skips that (`SqlStore.bulk_write`), and
this runs the checkpoint meanwhile, while the importer makes its next batch (PASSIVE: it
waits for no reader or writer). Pages not copied yet are durable in the log all the same, and
the next checkpoint, here or at any other COMMIT, copies them.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

log = logging.getLogger("userpool.storage")


class Checkpointer:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._running = threading.Lock()

    def start(self) -> None:
        """Checkpoint now, in a thread; if one is running already, it is left to finish."""
        if self._running.acquire(blocking=False):
            threading.Thread(target=self._run, name="wal-checkpoint", daemon=True).start()

    def _run(self) -> None:
        try:
            with self._engine.connect() as connection:
                raw = connection.connection.dbapi_connection
                assert raw is not None
                raw.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # the next COMMIT's own checkpoint copies the pages instead
            log.exception("a background WAL checkpoint failed")
        finally:
            self._running.release()
