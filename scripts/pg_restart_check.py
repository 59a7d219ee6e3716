#!/usr/bin/env python3
"""Stops the PostgreSQL server under load for a few seconds, starts it again, and checks that nothing was lost or
applied twice, with no restart of our app.

Each run starts `Bench serve helpdesk` and `Bench serve app --db postgres://...` (a fresh schema) on the wall
clock at time scale 1, submits documents through POST /reviews from four threads for the whole run, and a few
seconds in stops the database server (`pg_ctl stop -m fast`), keeps it down for at least DOWN seconds (longer when
the two 503 probes below take longer: a request's wait for a pooled connection while the store does not yet know the
server is gone is up to 10 s), and starts it again (`pg_ctl start -w`). It checks:
- while the server is down, our receiver answers a signed webhook 503 with Retry-After (nothing written), our API
  answers a submission 503 with Retry-After, and the app stays up;
- after it is back, without restarting the app, a submission succeeds: the time from the server's return to the
  first 2xx is reported;
- every document our API accepted has its row, every row ends with the Help Desk's verdict, every document the Help
  Desk made has its row, and each row got its verdict applied exactly once (the app's `verdict applied` log lines).
The submitters retry a 503 after its Retry-After, as a client should. Runs alternate webhook and poll-fixed:1s
(whose polls keep their schedule while the database is away).

The script must control the cluster: it first runs `pg_ctl status`, and fails with a message saying so if it cannot
(never a silent pass).

Usage: scripts/pg_restart_check.py PATH_TO_BENCH --pg-ctl PATH --pgdata DIR [--start-options "-p 55432 ..."]
       [--log FILE] [--as-user postgres] [--runs 3] [--down 4]
       with FLOWS_TEST_POSTGRES_URL=postgres://USER@127.0.0.1:PORT/DATABASE
The server is started again with --start-options (pg_ctl's -o) and --log (its -l): the same as it was started with.
"""
import argparse
import base64
import collections
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from serverprocess import Server, check

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def request(method, url, body=None, headers=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json"} if data is not None else {}
    all_headers.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


def signed_webhook(body):
    """A Standard Webhooks delivery of `body`, signed with SECRET."""
    payload = json.dumps(body).encode()
    webhook_id, timestamp = f"msg_restart_{time.monotonic_ns()}", str(int(time.time()))
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + payload, hashlib.sha256).digest()
    headers = {"webhook-id": webhook_id, "webhook-timestamp": timestamp,
               "webhook-signature": "v1," + base64.b64encode(digest).decode(), "Content-Type": "application/json"}
    return payload, headers


class Cluster:
    """The PostgreSQL server, stopped and started with pg_ctl (as another user when asked)."""

    def __init__(self, pg_ctl, pgdata, as_user, start_options, log):
        self.prefix = (["runuser", "-u", as_user, "--"] if as_user else []) + [pg_ctl, "-D", pgdata]
        self.start_arguments = (["-o", start_options] if start_options else []) + (["-l", log] if log else [])

    def run(self, *arguments):
        return subprocess.run(self.prefix + list(arguments), capture_output=True, text=True, timeout=120)

    def require_control(self):
        try:
            status = self.run("status")
        except (OSError, subprocess.SubprocessError) as error:
            check(False, f"this script can run pg_ctl ({' '.join(self.prefix)}: {error})")
        check(status.returncode == 0 and "server is running" in status.stdout,
              f"this script controls a running cluster: `{' '.join(self.prefix)} status` said "
              f"{(status.stdout + status.stderr).strip()[:300]!r} (exit {status.returncode})")

    def stop(self):
        result = self.run("stop", "-m", "fast", "-w")
        check(result.returncode == 0, f"pg_ctl stop -m fast stops the server ({result.stderr.strip()[:200]})")

    def start(self):
        result = self.run("start", "-w", "-t", "60", *self.start_arguments)
        check(result.returncode == 0, f"pg_ctl start brings the server back ({result.stderr.strip()[:200]})")


def run(bench, cluster, postgres_url, strategy, number, down):
    schema = f"restart_{number}_{os.getpid()}"
    desk = Server([bench, "serve", "helpdesk", "--port", "0", "--secret", SECRET], "MockHelpDesk")
    desk_url = f"http://127.0.0.1:{desk.port}"
    app = None
    try:
        app = Server([bench, "serve", "app", "--port", "0", "--helpdesk", desk_url, "--db", f"{postgres_url}?schema={schema}",
                      "--secret", SECRET, "--strategy", strategy, "--log-level", "debug"], "Flows")
    finally:
        if app is None:
            desk.stop(timeout=60)
    base = f"http://127.0.0.1:{app.port}"
    label = f"[run {number}, {strategy}]"
    accepted, deferred, failures = [], [], []
    lock = threading.Lock()
    stop_submitting = threading.Event()
    try:
        def submitter(worker):
            index = 0
            while not stop_submitting.is_set():
                url = f"https://example.com/restart/{number}/{worker}/{index}.pdf"
                index += 1
                while True:
                    try:
                        # Up to the app's 30 s of patience storing an answered submission, its wait for a connection
                        # and the Help Desk's answer.
                        status, headers, body = request("POST", f"{base}/reviews", {"documentUrl": url}, timeout=90)
                    except Exception as error:  # the app must stay up: a transport failure is a failure
                        with lock:
                            failures.append(repr(error))
                        return
                    if status == 201:
                        with lock:
                            accepted.append((body["documentId"], time.monotonic()))
                        break
                    if status == 503 and headers.get("Retry-After"):
                        with lock:
                            deferred.append(time.monotonic())
                        time.sleep(min(float(headers["Retry-After"]), 1.0))
                        continue
                    with lock:
                        failures.append(f"{status} {body}")
                    return
                time.sleep(0.05)

        threads = [threading.Thread(target=submitter, args=(worker,)) for worker in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(3)
        before = len(accepted)
        check(before > 0, f"{label} documents are accepted before the stop ({before})")
        cluster.stop()
        stopped_at = time.monotonic()
        # While the server is down: a signed webhook is deferred with 503 and Retry-After, and so is a submission.
        payload, headers = signed_webhook({"agentId": "agent_1", "documentId": "doc_0000000000000001", "documentStatus": "ACCEPTED"})
        req = urllib.request.Request(f"{base}/document/update", data=payload, method="POST", headers=headers)
        probe_at = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                answer, retry_after = response.status, response.headers.get("Retry-After")
        except urllib.error.HTTPError as error:
            answer, retry_after = error.code, error.headers.get("Retry-After")
        receiver_wait = time.monotonic() - probe_at
        check(answer == 503 and retry_after, f"{label} while the database is down, the receiver answers 503 with Retry-After (got {answer}, {retry_after})")
        probe_at = time.monotonic()
        status, headers, body = request("POST", f"{base}/reviews", {"documentUrl": "https://example.com/restart/probe.pdf"})
        submission_wait = time.monotonic() - probe_at
        check(status == 503 and headers.get("Retry-After") and "database" in body.get("error", ""),
              f"{label} while the database is down, a submission answers 503 with Retry-After and a JSON error ({status} {body})")
        time.sleep(max(0.0, down - (time.monotonic() - stopped_at)))
        check(app.process.poll() is None, f"{label} the app stays up while the database is down")
        cluster.start()
        back_at = time.monotonic()
        down_for = back_at - stopped_at
        first = None
        while time.monotonic() - back_at < 60:
            status, _, _ = request("GET", f"{base}/reviews?limit=1")
            if status == 200:
                first = time.monotonic() - back_at
                break
            time.sleep(0.05)
        check(first is not None, f"{label} the app answers 2xx again without a restart")
        print(f"{label} database down {down_for:.1f} s (the receiver's 503 came after {receiver_wait * 1000:.0f} ms, "
              f"the submission's after {submission_wait * 1000:.0f} ms); back -> first 2xx from the app: {first * 1000:.0f} ms")
        time.sleep(3)
        stop_submitting.set()
        for thread in threads:
            thread.join(timeout=120)
        check(not failures, f"{label} every submission was accepted or deferred with 503 ({failures[:2]})")
        after = [document for document, at in accepted if at > back_at]
        check(after, f"{label} submissions are accepted after the database is back ({len(after)})")

        def settled():
            status, _, body = request("GET", f"{base}/reviews?status=PENDING_REVIEW&limit=1000")
            return status == 200 and not body["reviews"]

        deadline = time.monotonic() + 120
        while not settled() and time.monotonic() < deadline:
            time.sleep(0.5)
        check(settled(), f"{label} every row gets its verdict, with no restart of the app")
        status, _, body = request("GET", f"{base}/reviews?limit=1000")
        rows = {row["documentId"]: row["documentStatus"] for row in body["reviews"]}
        ids = [document for document, _ in accepted]
        check(set(ids) <= set(rows), f"{label} 0 lost: {len(rows)} rows for {len(ids)} accepted documents")
        wrong = [document for document in rows if request("GET", f"{desk_url}/document/{document}")[2]["documentStatus"] != rows[document]]
        check(not wrong, f"{label} every row holds the Help Desk's verdict ({wrong[:2]})")
        _, _, stats = request("GET", f"{desk_url}/_stats")
        made = stats["documents"]["submitted"]
        check(len(rows) == made, f"{label} every document the Help Desk made has its row ({made} made, {len(rows)} rows)")
        applied = collections.Counter(re.search(r"document\.id=(\S+)", line).group(1)
                                      for line in app.lines if "verdict applied" in line and "document.id=" in line)
        twice = [document for document, count in applied.items() if count > 1]
        # A commit whose answer the stopping server cut off is applied and not logged: the Help Desk's retry then
        # finds it applied (deduplicated by webhook-id), so such a row has no line; none may have two.
        check(not twice and set(applied) <= set(rows),
              f"{label} 0 applied twice: no row got its verdict applied more than once ({len(applied)} applied lines for "
              f"{len(rows)} rows, {len(rows) - len(applied)} committed as the server stopped; {twice[:2]} twice)")
        print(f"{label} {len(ids)} documents, {len(deferred)} submissions deferred while the database was down, "
              f"back to 2xx in {first * 1000:.0f} ms")
        return first
    except SystemExit:
        # What the app said last, to see why (its log is at debug level: its errors, then its warnings, of which an
        # outage makes many).
        for level in ("error", "warning"):
            said = [line.rstrip() for line in app.lines if f" {level} " in line or (level == "error" and " critical " in line)]
            print(f"{label} the app's last {level}s ({len(said)} in all):", *said[-10:], sep="\n  ", file=sys.stderr)
        raise
    finally:
        stop_submitting.set()
        if cluster.run("status").returncode != 0:
            cluster.start()
        stuck = []
        for server, name in ((app, "the app"), (desk, "the Help Desk")):
            if server.process.poll() is None:
                try:
                    server.stop(timeout=60)
                except subprocess.TimeoutExpired:
                    server.process.kill()
                    stuck.append(name)
        check(not stuck, f"{label} each server stops within 60 s of SIGTERM ({', '.join(stuck)} did not: a request or task it waits for never ended)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bench")
    parser.add_argument("--pg-ctl", required=True, help="the cluster's pg_ctl")
    parser.add_argument("--pgdata", required=True, help="the cluster's data folder")
    parser.add_argument("--start-options", default="", help="the server's options, as given to pg_ctl start -o")
    parser.add_argument("--log", help="the server's log file, as given to pg_ctl start -l")
    parser.add_argument("--as-user", help="run pg_ctl as this user (runuser), as root must for the postgres user's cluster")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--down", type=float, default=4.0, help="seconds the server stays down at least")
    arguments = parser.parse_args()
    postgres_url = os.environ.get("FLOWS_TEST_POSTGRES_URL")
    check(bool(postgres_url), "FLOWS_TEST_POSTGRES_URL names the cluster's database")
    cluster = Cluster(arguments.pg_ctl, arguments.pgdata, arguments.as_user, arguments.start_options, arguments.log)
    cluster.require_control()
    strategies = ["webhook", "poll-fixed:1s"]
    returns = [run(arguments.bench, cluster, postgres_url, strategies[number % 2], number + 1, arguments.down) for number in range(arguments.runs)]
    print(f"PostgreSQL restart: {arguments.runs} runs of {arguments.runs}, 0 lost, 0 applied twice; "
          f"first 2xx {', '.join(f'{value * 1000:.0f}' for value in returns)} ms after the database's return")


if __name__ == "__main__":
    main()
