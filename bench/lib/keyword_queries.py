"""Keyword queries from the resistors, capacitors and inductors of real KiCad BOMs, in the format
of ../shared/search/dev-queries.json ("10k 0603 resistor" with its kind, SI value and size code),
so that ../shared/search/judge.py judges them. One query per distinct (kind, value, size); those
the development set already holds are left out, so the output is a held-out set.

  keyword_queries.py BOM_DIR DEV_QUERIES.json OUT.json [OUT.jsonl]

OUT.jsonl (optional): the development and held-out queries' text, one JSON string per line, for
the latency benchmarks."""
import glob, json, os, re, sys
import xml.etree.ElementTree as ET

bom_dir, dev_file, out_file = sys.argv[1:4]
lines_file = sys.argv[4] if len(sys.argv) > 4 else None
PREFIX = {"p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "m": 1e-3, "k": 1e3, "K": 1e3, "M": 1e6, "R": 1.0, "E": 1.0, "": 1.0}
KIND = {"R": ("resistor", "Ω"), "C": ("capacitor", "F"), "L": ("inductor", "H")}
SIZES = r"(?<!\d)(0201|0402|0603|0805|1206|1210|1812|2010|2512)(?!\d)"


def si(value, kind):
    """The SI value of a BOM's value field (`4k7`, `0.1 uF`, `100R`, `10`), or None."""
    v = value.replace(" ", "").replace("Ω", "").replace("ohm", "").replace("Ohm", "")
    v = re.sub("[FfHh]$", "", v)
    m = re.fullmatch(r"(\d+)([pnuµmkKMRE])(\d+)", v)  # RKM: 4k7, 0R01
    if m:
        return float(m.group(1) + "." + m.group(3)) * PREFIX[m.group(2)]
    m = re.fullmatch(r"(\d*\.?\d+)([pnuµmkKMRE]?)", v)
    if not m or (kind != "R" and m.group(2) in ("", "R", "E")):
        return None  # a bare capacitance or inductance says no unit
    return float(m.group(1)) * PREFIX[m.group(2)]


dev = json.load(open(dev_file))
seen = {(q["kind"], round(q["si"], 15), q["package"]) for q in dev}
held_out = []
for path in sorted(glob.glob(os.path.join(bom_dir, "*.xml"))):
    try:
        tree = ET.parse(path)
    except ET.ParseError:
        continue  # two of the KiCad files are not well-formed
    for comp in tree.iter("comp"):
        ref = re.match(r"([A-Z]+)\d", comp.get("ref", ""))
        value = (comp.findtext("value") or "").strip()
        size = re.search(SIZES, comp.findtext("footprint") or "")
        if not (ref and ref.group(1) in KIND and size and value):
            continue
        kind = ref.group(1)
        value_si = si(value, kind)
        key = (kind, round(value_si, 15) if value_si is not None else None, size.group(1))
        if value_si is None or key in seen:
            continue
        seen.add(key)
        word, unit = KIND[kind]
        held_out.append({"q": f"{value} {size.group(1)} {word}", "kind": kind, "si": value_si, "unit": unit, "package": size.group(1)})
json.dump(held_out, open(out_file, "w"), indent=1, ensure_ascii=False)
if lines_file:
    with open(lines_file, "w") as f:
        for q in dev + held_out:
            f.write(json.dumps(q["q"], ensure_ascii=False) + "\n")
print(f"{len(held_out)} held-out queries (besides the {len(dev)} of the development set) in {out_file}")
