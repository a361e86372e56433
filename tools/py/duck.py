# SPDX-License-Identifier: Apache-2.0
# tools/py/duck.py -- a DuckDB connection with the iceberg and avro
# extensions loaded from their PyPI wheels (never from the network).
#
#   from duck import connect;  con = connect()
#   con.sql("SELECT * FROM iceberg_scan('warehouse/ns/t')")
import glob
import os

import duckdb


def _ext(name):
    import importlib
    mod = importlib.import_module("duckdb_extension_" + name)
    hits = glob.glob(os.path.join(os.path.dirname(mod.__file__), "extensions",
                                  "v" + duckdb.__version__, name + ".duckdb_extension"))
    if not hits:
        raise RuntimeError(f"no {name} extension for DuckDB {duckdb.__version__} in {mod.__file__}")
    return hits[0]


def connect(database=":memory:"):
    con = duckdb.connect(database, config={"autoinstall_known_extensions": "false",
                                           "autoload_known_extensions": "false"})
    for name in ("avro", "iceberg"):
        con.execute(f"LOAD '{_ext(name)}'")
    return con
