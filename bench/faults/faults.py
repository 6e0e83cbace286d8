#!/usr/bin/env python3
"""Fault suite: attacks and operator faults against a real Ferrite binary, loopback only.

Each scenario starts its own server on a fresh data directory (a small generated catalogue,
a Bench-plan organization with a metered app), does its damage within a fixed count and time,
and checks two things: what the server did (closed, refused, answered, recovered) and that
nothing was lost (the server is alive and answers; charged parts cover every part served).

    bench/faults/run.sh [SCENARIO ...]     # all scenarios when none is named; see --list

Environment: BIN (the ferrite binary, default target/release/ferrite), PLANS_FILE (the plans,
written by run.sh), PG_BIN_DIR (PostgreSQL's
bin directory, for the postgres scenario), KEEP=1 (keep work directories).
Prints one result block per scenario and a summary table; exits 1 if any scenario broke.
"""

import argparse
import base64
import http.client
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("BIN", os.path.join(ROOT, "target", "release", "ferrite"))
PASSWORD = "fault-suite-Correct-Horse-Battery-42"
# The plans (with a Bench plan no scenario reaches), as run.sh writes them with bench_config.
PLANS_FILE = os.environ.get("PLANS_FILE")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ferrite_env():
    # The servers get only the settings the suite gives them, not the caller's FERRITE_* ones.
    env = {k: v for k, v in os.environ.items() if not k.startswith("FERRITE_")}
    env["FERRITE_LOG"] = "warn"
    return env


def write_catalogue(path, parts):
    """A CSV feed of `parts` resistors with one LCSC-like offer each (docs/feeds.md)."""
    with open(path, "w") as f:
        f.write("mpn,manufacturer,description,category,seller,sku,stock,currency,price_breaks,spec:Resistance\n")
        for i in range(parts):
            f.write(
                f"FLT-{i:06d},Fault Ohm Co,Thick film resistor {i} ohm 0603,Resistors > Chip Resistor,"
                f"LCSC,C{900000 + i},{1000 + i},USD,1:0.10;100:0.05,{i} Ω\n"
            )


class Server:
    """A `ferrite serve` on a fresh data directory, with an org on the Bench plan and one app."""

    def __init__(self, name, extra_config="", database_url=None, data_dir=None, rlimit_nofile=None, parts=2000):
        self.work = tempfile.mkdtemp(prefix=f"ferrite-fault-{name}.")
        self.data_dir = data_dir or os.path.join(self.work, "data")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.config = os.path.join(self.work, "ferrite.toml")
        with open(self.config, "w") as f:
            f.write(extra_config + "\n" + (open(PLANS_FILE).read() if PLANS_FILE else ""))
        self.database_url = database_url
        self.rlimit_nofile = rlimit_nofile
        self.proc = None
        self.log = os.path.join(self.work, "server.log")
        self.cli("migrate")
        if parts:
            feed = os.path.join(self.work, "catalogue.csv")
            write_catalogue(feed, parts)
            self.cli("import", "csv", feed)
        self.cli("admin", "user", "create", "--email", f"{name}@example.com", "--password-stdin", stdin=PASSWORD + "\n")
        self.cli("admin", "org", "create", "--name", f"fault-{name}", "--owner", f"{name}@example.com")
        self.cli("admin", "plan", "set", "--org", f"fault-{name}", "--plan", "Bench")
        app = json.loads(
            self.cli(
                "admin", "app", "create", "--org", f"fault-{name}", "--name", "faults",
                "--scopes", "supply,design", "--part-limit", "100000000000", "--json",
            )
        )
        self.client_id, self.client_secret = app["client_id"], app["client_secret"]
        self.token = None

    def args(self):
        a = ["--config", self.config, "--data-dir", self.data_dir]
        if self.database_url:
            a += ["--database-url", self.database_url]
        return a

    def cli(self, *args, stdin=None, check=True):
        run = subprocess.run(
            [BIN, *args, *self.args()], input=stdin, capture_output=True, text=True, env=ferrite_env(), timeout=600
        )
        if check and run.returncode != 0:
            raise RuntimeError(f"ferrite {' '.join(args)} failed ({run.returncode}): {run.stderr.strip()}")
        return run.stdout

    def start(self):
        def limits():
            os.setsid()
            if self.rlimit_nofile:
                resource.setrlimit(resource.RLIMIT_NOFILE, (self.rlimit_nofile, self.rlimit_nofile))

        log = open(self.log, "a")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--listen", f"127.0.0.1:{self.port}", *self.args()],
            stdout=log, stderr=log, env=ferrite_env(), preexec_fn=limits,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited at start ({self.proc.returncode}); see {self.log}")
            if self.get("/readyz", timeout=1)[0] == 200:
                self.token = self.fetch_token()
                return self
            time.sleep(0.1)
        raise RuntimeError("the server did not become ready in 60 s")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait()

    def cleanup(self):
        self.stop()
        if os.environ.get("KEEP") != "1":
            shutil.rmtree(self.work, ignore_errors=True)

    def request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read(), dict(response.getheaders())
        except (OSError, http.client.HTTPException) as err:
            return None, str(err).encode(), {}
        finally:
            conn.close()

    def get(self, path, timeout=30):
        return self.request("GET", path, timeout=timeout)

    def fetch_token(self):
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        status, body, _ = self.request(
            "POST", "/connect/token", body="grant_type=client_credentials",
            headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 200:
            raise RuntimeError(f"token request answered {status}: {body[:200]!r}")
        return json.loads(body)["access_token"]

    def graphql(self, query, variables=None, raw=None, timeout=60):
        body = raw if raw is not None else json.dumps({"query": query, "variables": variables or {}}).encode()
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        status, data, headers = self.request("POST", "/graphql", body=body, headers=headers, timeout=timeout)
        try:
            return status, json.loads(data), headers
        except ValueError:
            return status, {"raw": data[:300].decode(errors="replace")}, headers

    def used(self):
        """Parts charged so far, as the server reports it (a free query's allowance)."""
        _, answer, _ = self.graphql('{ supSearchMpn(q: "FLT", limit: 1) { hits } }')
        return answer.get("extensions", {}).get("partLimit", {}).get("used")

    def healthz_latency(self, timeout=30):
        started = time.time()
        status, _, _ = self.get("/healthz", timeout=timeout)
        return status, time.time() - started


def first_error(answer):
    errors = answer.get("errors") or [{}]
    return repr(str(errors[0].get("message", answer.get("raw", "")))[:100])


def codes(answer):
    return sorted({(e.get("extensions") or {}).get("code", "?") for e in answer.get("errors", []) or []})


class Report:
    def __init__(self, name):
        self.name, self.lines, self.broke = name, [], []

    def note(self, text):
        self.lines.append(text)
        print(f"  {text}", flush=True)

    def check(self, ok, text):
        self.note(("held: " if ok else "BROKE: ") + text)
        if not ok:
            self.broke.append(text)


# --- scenarios ----------------------------------------------------------------------------------

def slowloris(r):
    """100 connections sending a header line every 2 s; 50 bodies sent a byte every 2 s."""
    s = Server("slowloris").start()
    try:
        def trickle(first, line, count, seconds, closed_after):
            started = time.time()
            try:
                sock = socket.create_connection(("127.0.0.1", s.port))
                sock.settimeout(seconds + 5)
                sock.sendall(first)
                while time.time() - started < 60:
                    time.sleep(seconds)
                    sock.sendall(line)
                    # A closed connection reads as EOF or a reset once the server has gone.
                    sock.setblocking(False)
                    try:
                        if sock.recv(4096) == b"":
                            break
                    except BlockingIOError:
                        pass
                    except OSError:
                        break
                    finally:
                        sock.setblocking(True)
                        sock.settimeout(seconds + 5)
            except OSError:
                pass
            closed_after.append(time.time() - started)

        header_closed, body_closed = [], []
        threads = [threading.Thread(target=trickle, args=(b"GET /healthz HTTP/1.1\r\nHost: x\r\n", b"X-a: b\r\n", 100, 2, header_closed)) for _ in range(100)]
        post = b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
        threads += [threading.Thread(target=trickle, args=(post, b" ", 50, 2, body_closed)) for _ in range(50)]
        for t in threads:
            t.start()
        time.sleep(3)
        status, latency = s.healthz_latency()
        r.check(status == 200 and latency < 2, f"a fresh client is served during the attack ({status}, {latency * 1000:.0f} ms)")
        for t in threads:
            t.join()
        cut = lambda xs: sum(1 for x in xs if x < 59)
        r.check(cut(header_closed) == 100, f"slow headers cut off: {cut(header_closed)}/100, longest {max(header_closed):.1f} s")
        r.check(cut(body_closed) == 50, f"slow bodies cut off: {cut(body_closed)}/50, longest {max(body_closed):.1f} s")
        r.check(s.alive() and s.get("/healthz")[0] == 200, "the server is alive and answers afterwards")
    finally:
        s.cleanup()


def idle_flood(r):
    """With RLIMIT_NOFILE 1024, one client opens 1,100 idle sockets; another must still be served."""
    s = Server("idle", rlimit_nofile=1024).start()
    socks = []
    try:
        opened, failed = 0, 0
        for _ in range(1100):
            try:
                socks.append(socket.create_connection(("127.0.0.1", s.port), timeout=0.5))
                opened += 1
            except OSError:
                failed += 1
                if failed >= 20:
                    break
        r.note(f"idle sockets opened by the attacker: {opened} ({failed} connects failed)")
        time.sleep(1)
        served, worst = 0, 0.0
        for _ in range(10):
            status, latency = s.healthz_latency(timeout=3)
            served += status == 200
            worst = max(worst, latency)
        r.check(served == 10, f"a fresh client is served while the sockets are held: {served}/10, slowest {worst * 1000:.0f} ms")
        time.sleep(1)
        closed = 0
        for sock in socks:
            sock.setblocking(False)
            try:
                closed += sock.recv(1) == b""
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
        r.note(f"idle sockets the server had closed by then: {closed}/{opened}")
        r.check(s.alive(), "the server is alive")
    finally:
        for sock in socks:
            sock.close()
        s.cleanup()


def nesting(r):
    """GraphQL values, variables and a KiCad XML nested thousands deep."""
    s = Server("nesting").start()
    try:
        for depth in (1600, 20000):
            nested = "[" * depth + '"1"' + "]" * depth
            query = "{ supParts(ids: " + nested + ") { id } }"
            status, answer, _ = s.graphql(query)
            r.check(s.alive() and status is not None, f"argument nested {depth} deep ({len(query)} bytes): {status} {codes(answer)} {first_error(answer)}")
            literal = '{ supSearch(q: "r", limit: 1, filters: {a: ' + "{a: " * depth + "1" + "}" * depth + "}) { hits } }"
            status, answer, _ = s.graphql(literal)
            r.check(s.alive() and status is not None, f"Map argument nested {depth} deep: {status} {codes(answer)} {first_error(answer)}")
            # Built as text: Python's own JSON module refuses to nest this deep.
            variable = json.dumps("query Q($ids: [String!]!) { supParts(ids: $ids) { id } }")
            raw = ('{"query":' + variable + ',"variables":{"ids":' + nested + "}}").encode()
            status, answer, _ = s.graphql(None, raw=raw)
            r.check(s.alive() and status is not None, f"variable nested {depth} deep: {status} {codes(answer)} {first_error(answer)}")
            scalar = json.dumps("query Q($m: Map) { supSearch(q: \"r\", limit: 1, filters: $m) { hits } }")
            raw = ('{"query":' + scalar + ',"variables":{"m":{"a":' + '{"a":' * depth + "1" + "}" * depth + "}}}").encode()
            status, answer, _ = s.graphql(None, raw=raw)
            r.check(s.alive() and status is not None, f"Map scalar nested {depth} deep: {status} {codes(answer)} {first_error(answer)}")
        # A KiCad netlist of 3,200 nested elements, uploaded and made a project.
        xml = "<export version=\"E\"><components>" + "<comp>" * 3200 + "</comp>" * 3200 + "</components></export>"
        status, body = upload(s, "deep.xml", xml.encode())
        r.note(f"upload of a 3,200-deep KiCad XML: {status} {body[:120]!r}")
        if status == 200:
            file_id = json.loads(body)["id"]
            slug = "fault-nesting"
            mutation = "mutation($i: DesUploadProjectInput!) { desUploadProject(input: $i) { projectId } }"
            status, answer, _ = s.graphql(mutation, {"i": {"workspaceUrl": f"{s.base}/workspaces/{slug}", "fileId": file_id, "name": "Deep"}})
            r.check(s.alive() and status is not None, f"made a project: {status} {codes(answer)}")
        r.check(s.alive() and s.get("/healthz")[0] == 200, "the server is alive and answers afterwards")
    finally:
        s.cleanup()


def upload(s, name, content):
    boundary = "faultsuiteboundary"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
        f"Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Authorization": f"Bearer {s.token}", "Content-Type": f"multipart/form-data; boundary={boundary}"}
    status, data, _ = s.request("POST", "/files/upload", body=body, headers=headers)
    return status, data


def cost(r):
    """1,000 aliased searches with aggregations, a 1 MiB multi-match of limit-0 queries, and /healthz meanwhile."""
    s = Server("cost", parts=20000).start()
    try:
        aliases = " ".join(
            f'a{i}: supSearch(q: "resistor {i}", limit: 0) {{ hits manufacturerAgg {{ count }} categoryAgg {{ count }} }}'
            for i in range(1000)
        )
        started = time.time()
        status, answer, _ = s.graphql("{ " + aliases + " }")
        r.check(time.time() - started < 5, f"1,000 aliased supSearch(limit: 0): {status} {codes(answer)} in {time.time() - started:.2f} s")
        queries = ",".join(f'{{sku: "C{900000 + i % 20000}", limit: 0}}' for i in range(40000))
        body = "{ supMultiMatch(queries: [" + queries + "]) { hits } }"
        started = time.time()
        status, answer, _ = s.graphql(body)
        r.check(time.time() - started < 5, f"supMultiMatch of 40,000 limit-0 SKU queries ({len(body) >> 10} KiB): {status} {codes(answer)} in {time.time() - started:.2f} s")
        # Three heavy but allowed requests at once must not stall the runtime.
        heavy = "{ " + " ".join(f'a{i}: supSearch(q: "resistor", limit: 10) {{ hits manufacturerAgg {{ count }} }}' for i in range(10)) + " }"
        threads = [threading.Thread(target=lambda: [s.graphql(heavy) for _ in range(10)]) for _ in range(3)]
        for t in threads:
            t.start()
        worst = 0.0
        while any(t.is_alive() for t in threads):
            _, latency = s.healthz_latency()
            worst = max(worst, latency)
            time.sleep(0.05)
        r.check(worst < 0.5, f"/healthz while three heavy search requests run: slowest {worst * 1000:.0f} ms")
        r.check(s.alive(), "the server is alive")
    finally:
        s.cleanup()


def metered_load(s, seconds, threads=8, stop=None):
    """Metered supSearchMpn requests from `threads` clients; returns (parts served, statuses)."""
    served, statuses, lock = [0], {}, threading.Lock()
    query = '{ supSearchMpn(q: "FLT-00", limit: 5) { results { part { mpn } } } }'

    def client():
        deadline = time.time() + seconds
        while time.time() < deadline and not (stop and stop.is_set()):
            status, answer, _ = s.graphql(query, timeout=10)
            results = (((answer or {}).get("data") or {}).get("supSearchMpn") or {}).get("results") or []
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200 and not answer.get("errors"):
                    served[0] += len(results)

    pool = [threading.Thread(target=client) for _ in range(threads)]
    for t in pool:
        t.start()
    return pool, served, statuses


def sigkill(r):
    """SIGKILL under metered load, restart: every part served was charged."""
    s = Server("sigkill").start()
    try:
        before = s.used()
        stop = threading.Event()
        pool, served, statuses = metered_load(s, seconds=30, stop=stop)
        time.sleep(4)
        s.kill()
        stop.set()
        for t in pool:
            t.join()
        s.start()
        charged = s.used() - before
        r.note(f"answers by status: {statuses}")
        in_flight_bound = 8 * 5
        r.check(served[0] <= charged <= served[0] + in_flight_bound,
                f"parts served {served[0]}, charged {charged} (at most {in_flight_bound} more for answers in flight at the kill)")
    finally:
        s.cleanup()


def postgres(r):
    """PostgreSQL stopped for 8 s under load: fast 503s with Retry-After, /readyz false, recovery, exact charges."""
    pg_bin = os.environ.get("PG_BIN_DIR") or next(
        (os.path.join("/usr/lib/postgresql", v, "bin") for v in sorted(os.listdir("/usr/lib/postgresql"), reverse=True)), None
    ) if os.path.isdir("/usr/lib/postgresql") else None
    if not pg_bin or os.geteuid() != 0:
        r.note("SKIPPED: needs Debian's postgresql and root (runuser -u postgres)")
        return
    pg = tempfile.mkdtemp(prefix="ferrite-fault-pg.")
    shutil.chown(pg, "postgres")
    port = free_port()
    as_pg = ["runuser", "-u", "postgres", "--"]
    subprocess.run(as_pg + [f"{pg_bin}/initdb", "-D", f"{pg}/data", "-U", "ferrite", "--auth=trust"], check=True, capture_output=True)
    pg_ctl = lambda *a: subprocess.run(as_pg + [f"{pg_bin}/pg_ctl", "-D", f"{pg}/data", "-l", f"{pg}/log", "-w", *a], capture_output=True)
    opts = f"-p {port} -k {pg} -c listen_addresses=127.0.0.1"
    pg_ctl("start", "-o", opts)
    s = None
    try:
        s = Server("postgres", database_url=f"postgres://ferrite@127.0.0.1:{port}/postgres").start()
        before = s.used()
        stop = threading.Event()
        pool, served, statuses = metered_load(s, seconds=60, stop=stop)
        time.sleep(3)
        pg_ctl("stop", "-m", "fast")
        stopped = time.time()
        time.sleep(1)
        outage = []
        for _ in range(10):
            started = time.time()
            status, _, headers = s.graphql('{ supSearchMpn(q: "FLT-00", limit: 5) { results { part { mpn } } } }', timeout=30)
            outage.append((status, time.time() - started, headers.get("retry-after") or headers.get("Retry-After")))
        ready = s.get("/readyz", timeout=10)[0]
        r.note(f"during the outage: {[(st, round(t, 2), ra) for st, t, ra in outage]}")
        r.check(all(st == 503 and t < 3 and ra for st, t, ra in outage), "requests fail fast with 503 and Retry-After")
        r.check(ready == 503, f"/readyz answers {ready}")
        time.sleep(max(0.0, 8 - (time.time() - stopped)))
        pg_ctl("start", "-o", opts)
        started, recovered = time.time(), None
        while time.time() - started < 30:
            if s.get("/readyz", timeout=2)[0] == 200 and s.graphql('{ supSearchMpn(q: "FLT", limit: 1) { hits } }')[0] == 200:
                recovered = time.time() - started
                break
            time.sleep(0.2)
        r.check(recovered is not None, f"recovered by itself {recovered and round(recovered, 1)} s after PostgreSQL came back")
        time.sleep(2)
        stop.set()
        for t in pool:
            t.join()
        charged = s.used() - before
        r.note(f"answers by status: {statuses}")
        r.check(charged == served[0], f"parts served {served[0]}, charged {charged}")
    finally:
        if s:
            s.cleanup()
        pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(pg, ignore_errors=True)


def full_disk(r):
    """A 48 MiB tmpfs as the data directory: an import that does not fit fails clearly and gives its space back."""
    mount = tempfile.mkdtemp(prefix="ferrite-fault-disk.")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount], capture_output=True).returncode != 0:
        r.note("SKIPPED: cannot mount a tmpfs (needs root)")
        return
    s = None
    try:
        s = Server("disk", data_dir=os.path.join(mount, "data"), parts=1000).start()
        free_before = shutil.disk_usage(mount).free
        feed = os.path.join(s.work, "big.csv")  # the feed itself lives off the small disk
        write_catalogue(feed, 400000)
        run = subprocess.run([BIN, "import", "csv", feed, *s.args()], capture_output=True, text=True, env=ferrite_env(), timeout=900)
        message = (run.stderr.strip().splitlines() or [""])[-1]
        r.check(run.returncode != 0 and "error" in message.lower(), f"the import that does not fit fails: exit {run.returncode}, {message[:160]!r}")
        free_after = shutil.disk_usage(mount).free
        r.check(free_after >= free_before - (2 << 20), f"space given back: {free_before >> 20} MiB free before, {free_after >> 20} MiB after")
        status, answer, _ = s.graphql('{ supSearchMpn(q: "FLT-0001", limit: 1) { results { part { mpn } } } }')
        r.check(status == 200 and not answer.get("errors"), f"the server still answers from the old catalogue: {status} {codes(answer)}")
        uploads = [upload(s, f"bom{i}.csv", b"Reference,Value,MPN\n" + b"R1,10k,RC0603FR-0710KL\n" * 200000)[0] for i in range(12)]
        refused = [st for st in uploads if st is not None and st >= 400]
        r.check(s.alive() and refused and all(st in (413, 429, 503, 507) for st in refused),
                f"uploads of 4.6 MB each until refused clearly: {uploads}")
        r.check(s.alive() and s.get("/healthz")[0] == 200, "the server is alive and answers afterwards")
    finally:
        if s:
            s.cleanup()
        subprocess.run(["umount", "-l", mount], capture_output=True)
        shutil.rmtree(mount, ignore_errors=True)


SCENARIOS = {f.__name__: f for f in (slowloris, idle_flood, nesting, cost, sigkill, postgres, full_disk)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", help="scenarios to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the scenarios")
    args = parser.parse_args()
    if args.list:
        for name, f in SCENARIOS.items():
            print(f"{name:12} {f.__doc__}")
        return 0
    if not os.access(BIN, os.X_OK):
        print(f"error: no ferrite binary at {BIN} (cargo build --release -p ferrite, or set BIN)", file=sys.stderr)
        return 2
    reports = []
    for name in args.scenarios or SCENARIOS:
        report = Report(name)
        print(f"== {name}: {SCENARIOS[name].__doc__}", flush=True)
        started = time.time()
        try:
            SCENARIOS[name](report)
        except Exception as err:  # a scenario that cannot run is a failure of the suite, not a pass
            report.check(False, f"the scenario failed to run: {err}")
        report.note(f"({time.time() - started:.0f} s)")
        reports.append(report)
    print("\n| scenario | result |\n|---|---|")
    for report in reports:
        print(f"| {report.name} | {'held' if not report.broke else 'BROKE: ' + '; '.join(report.broke)} |")
    return 1 if any(report.broke for report in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
