#!/usr/bin/env python3
"""Splits a perf profile (recorded with call graphs) into named buckets, by call stack.

  perf script -i perf.data -F comm,tid,period,ip,sym | perf_buckets.py RULE...

Each RULE is `label=regex`; a sample goes to the FIRST rule whose regex matches any frame of its
stack (function names), or, for a rule written `label=comm:regex`, its thread name. Samples no
rule matches go to "other". Prints each bucket's share of all samples (weighted by period).
"""
import re
import sys


def main():
    rules = []
    for arg in sys.argv[1:]:
        label, _, pattern = arg.partition("=")
        if pattern.startswith("comm:"):
            rules.append((label, "comm", re.compile(pattern[5:])))
        else:
            rules.append((label, "stack", re.compile(pattern)))
    totals, total = {}, 0

    def flush(comm, period, frames):
        nonlocal total
        if comm is None:
            return
        label = "other"
        for name, kind, rx in rules:
            if (kind == "comm" and rx.search(comm)) or (kind == "stack" and any(rx.search(f) for f in frames)):
                label = name
                break
        totals[label] = totals.get(label, 0) + period
        total += period

    comm, period, frames = None, 0, []
    header = re.compile(r"^(\S.*?)\s+(\d+)\s+(\d+)\s*$")
    for line in sys.stdin:
        if not line.strip():
            flush(comm, period, frames)
            comm, period, frames = None, 0, []
        elif not line[0].isspace():
            flush(comm, period, frames)
            m = header.match(line.rstrip())
            comm, period, frames = (m.group(1), int(m.group(3)), []) if m else (line.split()[0], 1, [])
        else:
            parts = line.strip().split(None, 1)
            frames.append(parts[1] if len(parts) > 1 else parts[0])
    flush(comm, period, frames)
    order = [r[0] for r in rules] + ["other"]
    for label in order:
        if label in totals:
            print(f"{100 * totals[label] / max(total, 1):6.1f} %  {label}")


if __name__ == "__main__":
    main()
