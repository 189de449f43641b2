#!/usr/bin/env python3
"""Keeps one platform process running on a developer machine, as kubelet does in the cluster.

    supervise.py --name iam --pid-file RUN/iam.pid --restarts-file RUN/iam.restarts -- CMD ARGS...

Starts CMD, writes its pid to --pid-file, and when it dies on its own (a crash, kill -9, a
non-zero exit) starts it again after a backoff that doubles from 0.1 s to 10 s and resets
once the process has stayed up for 30 s. Each restart is logged as one JSON line on stderr
(the service's log) and counted in --restarts-file, which `./healthtech status` shows.

A process that exits 0, or is ended by SIGTERM/SIGINT, was stopped on purpose (by
`./healthtech down`, an operator or a test): the supervisor then exits too. SIGTERM/SIGINT
sent to the supervisor are passed on to the process; after --grace seconds it is killed.
"""
import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import time

BACKOFF_START, BACKOFF_MAX, STABLE_AFTER = 0.1, 10.0, 30.0


def log(name, msg, **fields):
    line = {"ts": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"),
            "level": "warn", "service": "supervisor", "msg": msg, "process": name, **fields}
    print(json.dumps(line), file=sys.stderr, flush=True)


def write_atomic(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--pid-file", required=True)
    ap.add_argument("--restarts-file", required=True)
    ap.add_argument("--grace", type=float, default=10.0)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    if not cmd:
        ap.error("no command to supervise")

    stopping = False
    child = None

    def on_stop(signum, _frame):
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)

    restarts = 0
    write_atomic(args.restarts_file, "0\n")
    backoff = BACKOFF_START
    while True:
        started = time.monotonic()
        child = subprocess.Popen(cmd)
        write_atomic(args.pid_file, f"{child.pid}\n")
        if stopping:  # a stop arrived while the process was being started
            child.send_signal(signal.SIGTERM)
        deadline = None
        while True:
            try:
                code = child.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if stopping:
                    deadline = deadline or time.monotonic() + args.grace
                    if time.monotonic() > deadline:
                        child.kill()
        if stopping:
            return code if code >= 0 else 128 - code
        if code == 0 or code in (-signal.SIGTERM, -signal.SIGINT):
            log(args.name, "process_stopped", exit_code=code, restart=False)
            return 0
        if time.monotonic() - started >= STABLE_AFTER:
            backoff = BACKOFF_START
        restarts += 1
        write_atomic(args.restarts_file, f"{restarts}\n")
        how = {"signal": signal.Signals(-code).name} if code < 0 else {"exit_code": code}
        log(args.name, "process_exited_restarting", restarts=restarts,
            restart_in_ms=int(backoff * 1000), **how)
        end = time.monotonic() + backoff
        while not stopping and time.monotonic() < end:
            time.sleep(0.05)
        if stopping:
            return 0
        backoff = min(backoff * 2, BACKOFF_MAX)


if __name__ == "__main__":
    sys.exit(main())
