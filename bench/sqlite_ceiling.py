"""What SQLite alone costs to store responses, as a bound on `supportops review`'s first import:
copies the responses of a store made by bench/scale.sh into a new file with the same table and
indexes, in WAL mode with synchronous=NORMAL and a 256 MiB page cache (as the import runs), with
one `INSERT … SELECT` (no driver, no binding, no hashing), in the sheet's row order.

    python3 bench/sqlite_ceiling.py bench/out/scale-1000000/store.db

Standard library only; the copy is written next to the store and deleted after.
"""

import os
import sqlite3
import sys
import time


def main(source):
    target = source + ".ceiling"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    ddl = [sql for (sql,) in src.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'responses' AND sql IS NOT NULL "
        "ORDER BY type DESC")]  # the table, then its indexes
    (rows,) = src.execute("SELECT COUNT(*) FROM responses").fetchone()
    src.close()
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
    indexes = len(ddl) - 1
    print(f"SQLite {sqlite3.sqlite_version}: {rows} responses into the table, its key and its "
          f"{indexes} indexes in {took:.1f} s ({rows / took:.0f} rows/s), "
          f"{os.path.getsize(target) / rows:.0f} bytes a response on disk")
    db.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)


if __name__ == "__main__":
    main(sys.argv[1])
