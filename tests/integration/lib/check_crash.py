"""Verify a capture crash run: every committed row delivered, per-key order
holds, and no transaction is partial.

usage: check_crash.py LEDGER_DUMP COUNTER_DUMP PG_LEDGER PG_COUNTER
  *_DUMP:  kcat output, one record per line: <key>\t<value>
  PG_*:    psql -At output: "id|writer|n" rows / "writer|n" rows
Prints one "ok"/"not ok" line per check and exits non-zero on failure.
"""
import json
import sys
from collections import defaultdict


def records(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            key, _, value = line.partition("\t")
            yield json.loads(key) if key else None, (json.loads(value) if value else None)


failures = 0


def check(ok, name, detail=""):
    global failures
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else ": " + detail))
    failures += 0 if ok else 1


ledger_dump, counter_dump, pg_ledger, pg_counter = sys.argv[1:5]

pg_rows = {}
for line in open(pg_ledger):
    i, w, n = line.strip().split("|")
    pg_rows[int(i)] = (int(w), int(n))
pg_final = {}
for line in open(pg_counter):
    w, n = line.strip().split("|")
    pg_final[int(w)] = int(n)

# Ledger: inserts only.  Group by transaction id, collect ids.
seen_ids = {}
txn_ids = defaultdict(set)
bad = 0
for key, value in records(ledger_dump):
    if value is None:
        continue
    if value["op"] not in ("c", "r"):
        bad += 1
        continue
    row = value["after"]
    if row["id"] != key["id"]:
        bad += 1
    seen_ids[row["id"]] = (row["writer"], row["n"])
    if value["op"] == "c":
        txn_ids[value["source"]["txId"]].add(row["id"])
check(bad == 0, "ledger events are inserts keyed by id", f"{bad} odd events")
missing = [i for i in pg_rows if i not in seen_ids]
check(not missing, f"every committed ledger row delivered ({len(pg_rows)} rows)",
      f"{len(missing)} missing, e.g. {missing[:5]}")
extra = [i for i in seen_ids if i not in pg_rows]
check(not extra, "no ledger row that PostgreSQL does not have", f"{len(extra)} extra, e.g. {extra[:5]}")
diff = [i for i in pg_rows if i in seen_ids and seen_ids[i] != pg_rows[i]]
check(not diff, "delivered ledger values equal PostgreSQL's", f"{len(diff)} differ")
partial = {t: len(ids) for t, ids in txn_ids.items() if len(ids) != 3}
check(not partial, f"no partial transaction ({len(txn_ids)} transactions, 3 rows each)",
      f"{len(partial)} partial, e.g. {list(partial.items())[:5]}")

# Counter: per key, streamed values go up by one; a re-delivery may repeat
# values already seen (whole, in order), but never skip one.  A snapshot
# record (op "r") is the row's state at the snapshot point: it starts a new
# baseline -- a snapshot redone after a crash mid-snapshot legitimately
# replaces the changes before its point with that state (and the ledger
# check above proves those rows arrived).
by_key = defaultdict(list)
for key, value in records(counter_dump):
    if value is None:
        continue
    by_key[key["writer"]].append((value["op"], value["after"]["n"]))
gaps = []
for w, ns in by_key.items():
    top = None
    for op, n in ns:
        if top is None or op == "r":
            top = n
        elif n == top + 1:
            top = n
        elif n > top + 1:
            gaps.append((w, top, n))
            top = n
    if top != pg_final.get(w):
        gaps.append((w, "final", top, pg_final.get(w)))
check(not gaps, f"per-key order holds for {len(by_key)} counter keys", f"{gaps[:5]}")
check(set(by_key) == set(pg_final), "every counter key delivered")
sys.exit(1 if failures else 0)
