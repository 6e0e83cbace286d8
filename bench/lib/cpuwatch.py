#!/usr/bin/env python3
"""Measures how much CPU other work on the machine took while a benchmark phase ran.

  cpuwatch.py --root PID [--root PID...] [--interval 0.5] > SUMMARY   (stop it with SIGTERM or SIGINT)

Every INTERVAL it reads /proc/stat and every /proc/PID/stat. A process is "ours" when PID (the
benchmark script) is among its ancestors; everything else (another engineer's cargo/rustc, ...)
is "others" (a daemon the benchmark started, e.g. PostgreSQL, is ours: pass its PID as
another --root). On exit it prints one line, in percent of ONE core (200 % = both cores of 2):

  CPU ours=..% others=..% others_max=..% idle=..% top_others=rustc:..%,cargo:..%

`others` is the average over the phase; `others_max` the busiest interval. Processes that start
and end between two samples are missed, so `others` is a lower bound.
"""
import argparse
import os
import signal
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")
stop = False


def on_signal(*_):
    global stop
    stop = True


def read_procs():
    procs = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                raw = f.read().decode(errors="replace")
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        ppid, utime, stime = int(fields[1]), int(fields[11]), int(fields[12])
        procs[int(name)] = (ppid, comm, utime + stime)
    return procs


def idle_jiffies():
    with open("/proc/stat") as f:
        cpu = f.readline().split()[1:]
    return int(cpu[3]) + int(cpu[4])  # idle + iowait


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=int, action="append", required=True)
    ap.add_argument("--interval", type=float, default=0.5)
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    ours_cache = {}
    roots = set(a.root)

    def is_ours(pid, procs):
        chain = []
        while pid > 1 and pid in procs and pid not in ours_cache:
            if pid in roots:
                ours_cache[pid] = True
                break
            chain.append(pid)
            pid = procs[pid][0]
        verdict = ours_cache.get(pid, pid in roots)
        for p in chain:
            ours_cache[p] = verdict
        return verdict

    start = time.monotonic()
    prev, prev_idle = read_procs(), idle_jiffies()
    ours = others = 0
    others_max = 0.0
    by_comm = {}
    while not stop:
        time.sleep(a.interval)
        now_t = time.monotonic()
        cur = read_procs()
        interval_others = 0
        for pid, (ppid, comm, t) in cur.items():
            before = prev.get(pid)
            delta = t - before[2] if before else t
            if delta <= 0:
                continue
            if is_ours(pid, cur):
                ours += delta
            else:
                others += delta
                interval_others += delta
                by_comm[comm] = by_comm.get(comm, 0) + delta
        others_max = max(others_max, 100.0 * interval_others / HZ / a.interval)
        prev = cur
    elapsed = time.monotonic() - start
    idle = idle_jiffies() - prev_idle
    pct = lambda j: 100.0 * j / HZ / max(elapsed, 1e-9)
    top = sorted(by_comm.items(), key=lambda kv: -kv[1])[:4]
    print(
        f"CPU ours={pct(ours):.0f}% others={pct(others):.0f}% others_max={others_max:.0f}% idle={pct(idle):.0f}% "
        f"seconds={elapsed:.1f} top_others={','.join(f'{c}:{pct(j):.0f}%' for c, j in top) or '-'}"
    )


if __name__ == "__main__":
    sys.exit(main())
