#!/usr/bin/env python3
"""Kills our app with SIGKILL in the middle of a run, starts it again, and checks that nothing was lost.

For each strategy (hybrid:10s,20s, poll-events:1s, then sse) it starts `Bench serve helpdesk` and `Bench serve app` at time
scale 0.01, submits documents through POST /reviews from four threads at once, kills the app with SIGKILL half-way
(submissions, reviews and webhooks in flight), waits a moment so deliveries fail, starts the app again on the same
port and database, submits the rest, and checks:
- the SQLite file passes `PRAGMA integrity_check` after the kill;
- every document our API accepted with 201 has its row, and every row ends with the verdict the Help Desk decided
  (webhook retries and reconciliation fill the gap for hybrid);
- every document the Help Desk made has its row, including those whose submission the kill cut off after the Help
  Desk answered (the restarted app sends its stored intents again), and no intent is left over;
- poll-events and sse resume from the cursor they had stored when the app was killed.
With --postgres URL (postgres://USER@HOST:PORT/DATABASE) the app keeps its reviews in PostgreSQL instead, a fresh
schema per strategy, and the same checks run against it (PostgreSQL's own crash safety stands in for SQLite's
integrity check; the tables are read with psql).
Exits non-zero on the first failure.

Usage: scripts/crash_check.py PATH_TO_BENCH_BINARY [--postgres URL]
"""
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from serverprocess import Server, check

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
DOCUMENTS = 40



def request(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def submit(base, index, strategy):
    status, body = request("POST", f"{base}/reviews", {"documentUrl": f"https://example.com/crash/{index}.pdf"})
    if status != 201:
        check(False, f"[{strategy}] document {index} accepted (got {status}: {body})")
    return body["documentId"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


class SQLiteTables:
    """The app's SQLite file, read directly."""

    def __init__(self, path):
        self.path = path
        self.db_argument = path

    def check_integrity(self, label):
        with sqlite3.connect(self.path) as db:
            check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"{label} the database passes integrity_check after the kill")

    def value(self, sql, *parameters):
        with sqlite3.connect(self.path) as db:
            row = db.execute(sql, parameters).fetchone()
        return row[0] if row else None


class PostgresTables:
    """The app's tables in a schema of a PostgreSQL database, read with psql."""

    def __init__(self, url, schema):
        self.url = url
        self.schema = schema
        self.db_argument = f"{url}?schema={schema}"

    def check_integrity(self, label):
        print(f"ok: {label} PostgreSQL keeps its own crash safety (write-ahead log); no file to check")

    def value(self, sql, *parameters):
        for parameter in parameters:
            sql = sql.replace("?", "'" + str(parameter).replace("'", "''") + "'", 1)
        result = subprocess.run(["psql", self.url, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", f'SET search_path TO "{self.schema}"', "-c", sql],
                                capture_output=True, text=True, timeout=60)
        check(result.returncode == 0, f"psql reads the app's tables ({result.stderr.strip()[:200]})")
        lines = [line for line in result.stdout.splitlines() if line and line != "SET"]
        return int(lines[0]) if lines and lines[0].lstrip("-").isdigit() else (lines[0] if lines else None)


def run(bench, strategy, folder, postgres):
    desk = Server([bench, "serve", "helpdesk", "--port", "0", "--time-scale", "0.01", "--secret", SECRET], "MockHelpDesk")
    desk_url = f"http://127.0.0.1:{desk.port}"
    name = re.sub(r"[^a-z0-9]", "_", strategy)
    tables = PostgresTables(postgres, f"crash_{name}_{os.getpid()}") if postgres else SQLiteTables(os.path.join(folder, name + ".sqlite"))
    database = tables.db_argument
    port = free_port()
    command = [bench, "serve", "app", "--port", str(port), "--helpdesk", desk_url, "--db", database, "--secret", SECRET,
               "--strategy", strategy, "--time-scale", "0.01"]
    app = None
    try:
        app = Server(command, "Flows")
    finally:
        if app is None:
            desk.stop()
    base = f"http://127.0.0.1:{port}"
    accepted = []
    try:
        # Four submitters keep going until the kill, so some submissions are cut off between the Help Desk's
        # answer and our insert.
        lock = threading.Lock()
        refused = []

        def submitter(worker):
            for index in range(worker, DOCUMENTS * 10, 4):
                try:
                    status, body = request("POST", f"{base}/reviews", {"documentUrl": f"https://example.com/crash/{index}.pdf"})
                except Exception:
                    return  # the app is gone: this caller got no answer
                with lock:
                    (accepted if status == 201 else refused).append(body["documentId"] if status == 201 else (status, body))
                time.sleep(0.01)

        submitters = [threading.Thread(target=submitter, args=(worker,)) for worker in range(4)]
        for thread in submitters:
            thread.start()
        wait_for(lambda: len(accepted) >= DOCUMENTS // 2, 30)
        code = app.stop(signal.SIGKILL)
        for thread in submitters:
            thread.join()
        check(not refused, f"[{strategy}] every submission before the kill was accepted ({refused[:1]})")
        check(code == -signal.SIGKILL, f"[{strategy}] the app is killed with SIGKILL mid-run ({len(accepted)} documents in)")
        tables.check_integrity(f"[{strategy}]")
        stored = tables.value("SELECT COUNT(*) FROM document_reviews")
        cursor_name = strategy.split(":")[0]
        cursor = tables.value("SELECT cursor FROM event_cursors WHERE name = ?", cursor_name)
        check(stored >= len(accepted), f"[{strategy}] every accepted document has its row after the kill ({stored})")
        # Reviews keep being decided while the app is down (50 s of model time): their webhooks fail and are retried.
        time.sleep(0.5)

        app = Server(command, "Flows")
        banner = {"poll-events": "reading the event feed", "sse": "opening the event stream"}.get(strategy.split(":")[0])
        if banner:
            expected = cursor if cursor else "the start"
            resumed = wait_for(lambda: any(banner in line for line in app.lines), 10)
            line = next((line for line in app.lines if banner in line), "")
            check(resumed and f"after={expected}" in line, f"[{strategy}] the restarted app resumes after its stored cursor {expected}")
        for index in range(DOCUMENTS * 10, DOCUMENTS * 10 + DOCUMENTS // 2):
            accepted.append(submit(base, index, strategy))
            time.sleep(0.01)

        def settled():
            status, body = request("GET", f"{base}/reviews?status=PENDING_REVIEW&limit=1000")
            return status == 200 and not body["reviews"]
        check(wait_for(settled, 90), f"[{strategy}] every row is settled after the restart")
        status, body = request("GET", f"{base}/reviews?limit=1000")
        rows = {row["documentId"]: row["documentStatus"] for row in body["reviews"]}
        check(set(accepted) <= set(rows), f"[{strategy}] no row lost: {len(rows)} rows for {len(accepted)} accepted documents")
        wrong = [document for document in rows if request("GET", f"{desk_url}/document/{document}")[1]["documentStatus"] != rows[document]]
        check(not wrong, f"[{strategy}] every row holds the Help Desk's verdict")
        status, stats = request("GET", f"{desk_url}/_stats")
        made = stats["documents"]["submitted"]
        resumed = sum("resumed an interrupted submission" in line for line in app.lines)
        check(len(rows) == made, f"[{strategy}] every document the Help Desk made has its row: {made} made, {len(rows)} rows, "
                                 f"{len(rows) - len(accepted)} of them cut off by the kill ({resumed} finished by the restarted app)")
        left = tables.value("SELECT COUNT(*) FROM submission_intents")
        check(left == 0, f"[{strategy}] no submission intent is left over ({left})")
        if strategy.startswith("hybrid"):
            failed = stats["deliveries"]["failedAttempts"]
            check(failed > 0, f"[{strategy}] webhooks failed while the app was down ({failed} attempts)")
            reads = sum(entry["count"] for entry in stats["requests"] if entry["route"] == "GET /events")
            check(reads > 0, f"[{strategy}] reconciliation read the event feed to settle what they missed ({reads} reads)")
    finally:
        for server in (app, desk):
            if server.process.poll() is None:
                server.stop()


def main():
    bench = sys.argv[1]
    postgres = None
    if len(sys.argv) > 2:
        check(len(sys.argv) == 4 and sys.argv[2] == "--postgres" and sys.argv[3].startswith("postgres://"),
              "arguments: PATH_TO_BENCH_BINARY [--postgres postgres://USER@HOST:PORT/DATABASE]")
        postgres = sys.argv[3]
    with tempfile.TemporaryDirectory() as folder:
        for strategy in ["hybrid:10s,20s", "poll-events:1s", "sse"]:
            run(bench, strategy, folder, postgres)


if __name__ == "__main__":
    main()
