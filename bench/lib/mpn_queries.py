#!/usr/bin/env python3
"""Writes a realistic, deterministic list of MPN queries for the search and API benchmarks.

  mpn_queries.py CATALOGUE_DB BOM_DIR OUT [--catalogue N] [--prefix N] [--seed S]

CATALOGUE_DB is the SQLite catalogue an import produced (DATA_DIR/ferrite-catalogue.db); BOM_DIR
holds KiCad BOM exports (*.xml) whose `manf#` fields are MPNs as designers write them.

The mix (order shuffled):
  bom     every distinct `manf#` value of the BOMs, as written (many are not in jlcparts:
          those are the "no match / family match" queries a BOM tool sends)
  exact   catalogue MPNs as stored
  lower   catalogue MPNs in lower case
  punct   catalogue MPNs with punctuation changed (removed, or a dash inserted)
  prefix  catalogue MPNs without their last 2 characters (a family / packaging-suffix search)

OUT gets one JSON string per line (ready to splice into a GraphQL body); OUT.kinds the kind of
each line. The files are derived from the data: keep them outside the repository.
"""
import argparse
import glob
import json
import random
import re
import sqlite3
import xml.etree.ElementTree as ET


def bom_mpns(bom_dir):
    seen, out = set(), []
    for path in sorted(glob.glob(f"{bom_dir}/*.xml")):
        try:
            root = ET.parse(path).getroot()
            values = [f.text for f in root.iter("field") if f.get("name", "").lower() == "manf#"]
        except ET.ParseError:  # a few exports are not well-formed XML: read the fields as text
            text = open(path, encoding="utf-8", errors="replace").read()
            values = re.findall(r'name="manf#"[^>]*>([^<]*)<', text, flags=re.I)
        for value in values:
            mpn = (value or "").strip()
            if mpn and mpn not in seen:
                seen.add(mpn)
                out.append(mpn)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("bom_dir")
    ap.add_argument("out")
    ap.add_argument("--catalogue", type=int, default=300, help="catalogue MPNs (exact/lower/punct)")
    ap.add_argument("--prefix", type=int, default=60, help="catalogue MPNs cut short by 2 characters")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    rng = random.Random(a.seed)

    db = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    (count,) = db.execute("SELECT COUNT(*) FROM parts").fetchone()
    if count == 0:
        raise SystemExit("the catalogue has no parts: import first")
    wanted = a.catalogue + a.prefix
    step = max(1, count // wanted)
    # Every step-th part by id: spread over all categories (shards were imported in turn).
    rows = db.execute("SELECT mpn FROM parts WHERE id % ? = 0 ORDER BY id LIMIT ?", (step, wanted)).fetchall()
    mpns = [r[0] for r in rows if r[0] and len(re.sub(r"[^0-9A-Za-z]", "", r[0])) >= 4]
    rng.shuffle(mpns)

    queries = [(m, "bom") for m in bom_mpns(a.bom_dir)]
    for i, mpn in enumerate(mpns[: a.catalogue]):
        kind = ("exact", "lower", "punct")[i % 3]
        if kind == "lower":
            q = mpn.lower()
        elif kind == "punct":
            if re.search(r"[^0-9A-Za-z]", mpn):
                q = re.sub(r"[^0-9A-Za-z]", "", mpn)
            else:
                cut = len(mpn) // 2
                q = mpn[:cut] + "-" + mpn[cut:]
        else:
            q = mpn
        queries.append((q, kind))
    for mpn in mpns[a.catalogue:]:
        queries.append((mpn[:-2], "prefix"))
    rng.shuffle(queries)

    with open(a.out, "w") as f, open(a.out + ".kinds", "w") as k:
        for q, kind in queries:
            f.write(json.dumps(q) + "\n")
            k.write(kind + "\n")
    by_kind = {}
    for _, kind in queries:
        by_kind[kind] = by_kind.get(kind, 0) + 1
    print(f"{len(queries)} queries -> {a.out} ({', '.join(f'{k} {n}' for k, n in sorted(by_kind.items()))})")


if __name__ == "__main__":
    main()
