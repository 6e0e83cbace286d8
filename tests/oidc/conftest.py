"""Starts a real `ferrite serve` once per session, provisioned through the admin CLI."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
EMAIL = "alice@example.com"
PASSWORD = "correct horse battery staple"
# Nothing listens here: the test never follows the final redirect, it only reads it.
REDIRECT_URI = "http://127.0.0.1:53682/callback"
START_TIMEOUT = 60  # seconds for `serve` to log its address
STOP_TIMEOUT = 30  # seconds for `serve` to exit after SIGTERM
COMMAND_TIMEOUT = 60  # seconds for each admin command

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LISTENING = re.compile(r"\blistening\b.*\baddress=\"?(127\.0\.0\.1:\d+)")


@dataclass
class App:
    name: str
    client_id: str
    client_secret: str
    scopes: object


@dataclass
class Ferrite:
    issuer: str  # http://127.0.0.1:PORT, no trailing slash
    supply: App
    design: App
    email: str = EMAIL
    password: str = PASSWORD
    redirect_uri: str = REDIRECT_URI


def _binary() -> Path:
    return Path(os.environ.get("FERRITE_BIN") or REPO / "target" / "debug" / "ferrite")


def _env() -> dict:
    # The server under test gets only what the test sets: no FERRITE_* setting of the caller leaks in.
    return {k: v for k, v in os.environ.items() if not k.startswith("FERRITE_")} | {"NO_COLOR": "1"}


def _admin(binary: Path, data_dir: Path, *args: str, stdin: str | None = None) -> str:
    cmd = [str(binary), "admin", *args, "--data-dir", str(data_dir)]
    proc = subprocess.run(
        cmd,
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=COMMAND_TIMEOUT,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )
    assert proc.returncode == 0, (
        f"`{' '.join(cmd[1:])}` exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    return proc.stdout


def _create_app(binary: Path, data_dir: Path, name: str, scopes: str, *extra: str) -> App:
    out = _admin(binary, data_dir, "app", "create", "--org", "acme", "--name", name, "--scopes", scopes, *extra, "--json")
    try:
        doc = json.loads(out)
    except ValueError as exc:
        raise AssertionError(f"`admin app create --json` printed non-JSON stdout: {out!r}") from exc
    missing = {"id", "client_id", "client_secret", "scopes"} - set(doc)
    assert not missing, f"`admin app create --json` output lacks {sorted(missing)}: {doc}"
    return App(name=name, client_id=doc["client_id"], client_secret=doc["client_secret"], scopes=doc["scopes"])


class _Server:
    """`ferrite serve` with its stderr drained by a thread into `lines`."""

    def __init__(self, binary: Path, data_dir: Path):
        cmd = [str(binary), "serve", "--listen", "127.0.0.1:0", "--data-dir", str(data_dir)]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env()
        )
        self.lines: list[str] = []
        self.address: str | None = None
        self._found = threading.Event()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self):
        for raw in self.proc.stderr:
            line = _ANSI.sub("", raw.rstrip("\n"))
            self.lines.append(line)
            match = _LISTENING.search(line)
            if match and self.address is None:
                self.address = match.group(1)
                self._found.set()
        self._found.set()  # EOF: the process is gone; wake the waiter

    def log(self) -> str:
        return "\n".join(self.lines[-200:])

    def wait_for_address(self) -> str:
        # Bounded: the reader sets the event on the listening line or on EOF.
        closed = self._found.wait(START_TIMEOUT)
        if self.address is None:
            try:  # if stderr closed, the process is exiting: report its code
                code = self.proc.wait(5) if closed else None
            except subprocess.TimeoutExpired:
                code = None
            self.kill()
            why = f"exited with code {code}" if code is not None else f"not within {START_TIMEOUT}s"
            pytest.fail(f"ferrite serve never logged `listening address=...` ({why}):\n{self.log()}")
        return self.address

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"ferrite serve did not exit within {STOP_TIMEOUT}s of SIGTERM:\n{self.log()}")
        self._reader.join(5)
        return code

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def ferrite(tmp_path_factory) -> Ferrite:
    binary = _binary()
    if not binary.is_file() or not os.access(binary, os.X_OK):
        pytest.skip(
            f"ferrite binary not found at {binary} (build it with `cargo build`, or set FERRITE_BIN); "
            "skipping the OIDC client-library suite"
        )
    data_dir = tmp_path_factory.mktemp("ferrite-data")
    _admin(binary, data_dir, "user", "create", "--email", EMAIL, "--password-stdin", stdin=PASSWORD + "\n")
    _admin(binary, data_dir, "org", "create", "--name", "acme", "--owner", EMAIL)
    supply = _create_app(binary, data_dir, "supply-app", "supply")
    design = _create_app(binary, data_dir, "design-app", "design", "--redirect-uri", REDIRECT_URI)

    server = _Server(binary, data_dir)
    try:
        address = server.wait_for_address()
        yield Ferrite(issuer=f"http://{address}", supply=supply, design=design)
    except BaseException:
        server.kill()
        raise
    code = server.stop()
    assert code == 0, f"ferrite serve exited {code} after SIGTERM (expected 0):\n{server.log()}"


@pytest.fixture(scope="session")
def discovery(ferrite) -> dict:
    url = f"{ferrite.issuer}/.well-known/openid-configuration"
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200, f"GET {url}: HTTP {resp.status_code}: {resp.text[:500]}"
    doc = resp.json()
    # Everything below talks only to the endpoints advertised here: keep them on this server.
    for key, value in doc.items():
        if key.endswith("_endpoint") or key == "jwks_uri":
            assert isinstance(value, str) and value.startswith(ferrite.issuer + "/"), (
                f"discovery {key}={value!r} is not an absolute URL under the issuer {ferrite.issuer}"
            )
    return doc


@pytest.fixture(scope="session")
def jwks(discovery) -> dict:
    resp = requests.get(discovery["jwks_uri"], timeout=30)
    assert resp.status_code == 200, f"GET jwks_uri: HTTP {resp.status_code}: {resp.text[:500]}"
    doc = resp.json()
    assert isinstance(doc.get("keys"), list) and doc["keys"], f"JWKS has no keys: {doc}"
    return doc
