"""What SQLite alone costs to store responses, as a bound on `supportops review`'s first import:
copies the responses of a store made by bench/scale.sh into a new file, in WAL mode with
synchronous=NORMAL and a 256 MiB page cache (as the import runs), with one `INSERT … SELECT` (no
driver, no binding, no hashing), in the sheet's row order. Twice: with the same table, key and
indexes as the store, then with the table and its key alone (no other index: what no schema
that lists responses quickly can go below).

    python3 bench/sqlite_ceiling.py bench/out/scale-1000000/store.db

Standard library only; the copies are written next to the store and deleted after.
"""

import os
import sqlite3
import sys
import time


def remove(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def copy(source, ddl, rows, what):
    """Copies the responses into a new file made with `ddl`; prints and returns rows/s."""
    target = source + ".ceiling"
    remove(target)
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA cache_size = -262144")
    for sql in ddl:
        # The foreign keys' parents are not copied: their checks are left out.
        db.execute(sql.replace("REFERENCES subjects (subject)", "")
                      .replace("REFERENCES formula_versions (id)", ""))
    db.execute("ATTACH ? AS source", (f"file:{source}?mode=ro",))
    start = time.perf_counter()
    db.execute("BEGIN")
    db.execute("INSERT INTO main.responses SELECT * FROM source.responses ORDER BY sheet_row")
    db.execute("COMMIT")
    db.execute("PRAGMA main.wal_checkpoint(TRUNCATE)")
    took = time.perf_counter() - start
    print(f"SQLite {sqlite3.sqlite_version}: {rows} responses into {what} in {took:.1f} s "
          f"({rows / took:.0f} rows/s), {os.path.getsize(target) / rows:.0f} bytes a response "
          f"on disk")
    db.close()
    remove(target)


def main(source):
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    ddl = [sql for (sql,) in src.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'responses' AND sql IS NOT NULL "
        "ORDER BY type DESC")]  # the table, then its indexes
    (rows,) = src.execute("SELECT COUNT(*) FROM responses").fetchone()
    src.close()
    copy(source, ddl, rows, f"the table, its key and its {len(ddl) - 1} indexes")
    copy(source, ddl[:1], rows, "the table and its key alone")


if __name__ == "__main__":
    main(sys.argv[1])
