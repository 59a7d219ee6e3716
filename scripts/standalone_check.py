#!/usr/bin/env python3
"""End-to-end check of the standalone servers, the Help Desk against the official Standard Webhooks library.

1. Starts `Bench serve helpdesk` on a free port with a known secret, runs a receiver that verifies every webhook
   with `standardwebhooks.Webhook.verify`, submits a document with a loopback callback URL, and checks: the webhook
   arrives and verifies; the decided state is served with an ETag; a matching If-None-Match answers 304; bad input
   answers 4xx with a JSON error naming the field.
2. Starts `Bench serve app` against that Help Desk, once with `--strategy webhook` and once with
   `--strategy poll-fixed:1s`, and checks that `POST /reviews` ends in a decided row with the Help Desk's verdict,
   and that a forged webhook is refused with 401 and changes nothing.
   Both servers' `GET /metrics`, after that traffic, pass Prometheus' own linter (`promtool check metrics`).
   Reads the live event stream (`GET /events/stream`) and validates every event, one at a time, against the
   OpenAPI document's `itemSchema` for it, and each decision's JSON `data` against its `contentSchema`.
3. Checks that `Bench plan`, `Bench sweep`, `Bench run` and `serve helpdesk` refuse bad review-delay distributions, retry
   schedules, give-up rules and options with exit 64 and a message naming them, creating nothing, and that a plan runs from a CSV of
   observed delays.
Exits non-zero on the first failure.

Usage: scripts/standalone_check.py PATH_TO_BENCH_BINARY
"""
import csv
import datetime
import http.server
import json
import queue
import re
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import jsonschema
import referencing
from standardwebhooks.webhooks import Webhook
from serverprocess import check

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
received = queue.Queue()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        try:
            payload = Webhook(SECRET).verify(body, dict(self.headers.items()))
            received.put(("verified", payload, dict(self.headers.items())))
            self.send_response(204)
        except Exception as error:  # the library raises WebhookVerificationError
            received.put(("rejected", str(error), dict(self.headers.items())))
            self.send_response(401)
        self.end_headers()

    def log_message(self, *args):
        pass


def request(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()



# Everything the servers write, to check that the secret never appears in it.
server_output = []


def collect(process):
    """Keeps reading a server's stderr into `server_output`; returns the thread, to join after the server exits."""
    thread = threading.Thread(target=lambda: server_output.extend(process.stderr), daemon=True)
    thread.start()
    return thread


def start(command, banner, env=None):
    """Starts a server and returns it with the port it reports on stderr and the thread reading the rest."""
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    for line in process.stderr:
        server_output.append(line)
        match = re.search(banner + r" listening on http://127\.0\.0\.1:(\d+)", line)
        if match:
            return process, int(match.group(1)), collect(process)
    check(False, f"{banner} reports its port")


def wait_for(condition, seconds=30):
    """Polls a standalone server (real time: these are real processes) until `condition` returns a value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    return None


OPENAPI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "openapi", "helpdesk.openapi.json")


def parse_event_stream(text):
    """The events of a text/event-stream as a parser hands them over: one object per block of lines ended by a blank
    line, with `event`, `id`, `data` (the data lines joined by line feeds) and `retry` (a number) where the block has
    them; comments are skipped, and so is a block with none of those fields."""
    events, fields, data = [], {}, []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line == "":
            if data:
                fields["data"] = "\n".join(data)
            if fields:
                events.append(fields)
            fields, data = {}, []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name in ("event", "id"):
            fields[name] = value
        elif name == "retry" and value.isdigit():
            fields["retry"] = int(value)
    return events


def stream_event_validators():
    """Validators of one stream event against the document's `itemSchema` for `GET /events/stream`, and of a JSON
    `data` against the `contentSchema` of the event it belongs to."""
    with open(OPENAPI) as file:
        document = json.load(file)
    uri = "urn:async-flows:helpdesk.openapi.json"
    registry = referencing.Registry().with_resource(uri, referencing.jsonschema.DRAFT202012.create_resource(document))
    media = document["paths"]["/events/stream"]["get"]["responses"]["200"]["content"]["text/event-stream"]
    check("itemSchema" in media, "the document gives each stream event a schema (itemSchema)")

    def validator(pointer_or_schema):
        schema = pointer_or_schema if isinstance(pointer_or_schema, dict) else {"$ref": uri + pointer_or_schema}
        if "$ref" in schema and schema["$ref"].startswith("#"):
            schema = {"$ref": uri + schema["$ref"]}
        return jsonschema.Draft202012Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker())

    decision = document["components"]["schemas"]["DecisionStreamEvent"]["properties"]["data"]
    check(decision.get("contentMediaType") == "application/json", "a decision's data is declared as JSON")
    return validator(media["itemSchema"]), validator(decision["contentSchema"])


def check_stream(base, documents):
    """Reads the stream until it has carried a decision of every document, and validates each event."""
    item, content = stream_event_validators()
    wanted = {document["documentId"] for document in documents}
    events, text = [], ""
    with urllib.request.urlopen(urllib.request.Request(f"{base}/events/stream"), timeout=30) as response:
        check(response.headers.get("Content-Type", "").startswith("text/event-stream"), "the stream is text/event-stream")
        while True:
            chunk = response.read1(65536).decode()
            if not chunk:
                check(False, "the stream stays open until every decision is read")
            text += chunk
            events = parse_event_stream(text[:text.rfind("\n\n") + 2])
            if wanted <= {json.loads(event["data"])["documentId"] for event in events if "data" in event}:
                break
    violations = []
    for event in events:
        violations += [f"{event}: {error.message}" for error in item.iter_errors(event)]
        if event.get("event") == "document.decided":
            violations += [f"{event['data']}: {error.message}" for error in content.iter_errors(json.loads(event["data"]))]
    decisions = [event for event in events if event.get("event") == "document.decided"]
    check(not violations, f"every stream event follows the document's schema ({len(events)} events, {len(violations)} violations: {violations[:3]})")
    check(len(decisions) >= len(wanted) and any("retry" in event for event in events),
          f"the stream carried a retry hint and {len(decisions)} decisions")
    # The same validators refuse what the document does not allow, so the check above is not vacuous.
    for bad in [{"event": "document.decided", "id": "42", "data": decisions[0]["data"]},
                {"event": "document.updated", "id": decisions[0]["id"], "data": decisions[0]["data"]},
                {"retry": -1}, {"event": "document.decided", "id": decisions[0]["id"]}]:
        check(not item.is_valid(bad), f"the item schema refuses {bad}")
    check(not content.is_valid({**json.loads(decisions[0]["data"]), "documentStatus": "MAYBE"}), "the content schema refuses an unknown status")
    print(f"event stream: {len(events)} events read live, each valid against the OpenAPI document")


def check_metrics(base, name):
    """`GET /metrics` as Prometheus' own linter reads it: `promtool check metrics` must find nothing to say."""
    status, headers, body = request("GET", f"{base}/metrics")
    check(status == 200 and (headers.get("Content-Type") or "").startswith("text/plain; version=0.0.4"),
          f"[{name}] GET /metrics answers 200 in Prometheus' text format")
    families = {line.split()[2] for line in body.decode().splitlines() if line.startswith("# TYPE ")}
    linted = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True, timeout=60)
    check(linted.returncode == 0 and not linted.stdout.strip() and not linted.stderr.strip(),
          f"[{name}] promtool check metrics finds nothing wrong in its {len(families)} metric families "
          f"(exit {linted.returncode}: {(linted.stdout + linted.stderr).decode().strip()[:400]})")
    return families


def check_app(bench, desk_base, strategy, folder, secret_from_environment, client="async-http-client"):
    command = [bench, "serve", "app", "--port", "0", "--helpdesk", desk_base, "--db", os.path.join(folder, f"{strategy}.sqlite"),
               "--strategy", strategy, "--time-scale", "0.01", "--log-level", "trace", "--client", client]
    env = dict(os.environ)
    if secret_from_environment:
        env["FLOWS_WEBHOOK_SECRET"] = SECRET
    else:
        command += ["--secret", SECRET]
    app, port, reader = start(command, "Flows", env)
    try:
        base = f"http://127.0.0.1:{port}"
        status, _, body = request("POST", f"{base}/reviews", {"documentUrl": "https://example.com/standalone.pdf"},
                                  {"Content-Type": "application/json"})
        check(status == 201, f"[{strategy}] POST /reviews answers 201 (got {status})")
        review = json.loads(body)

        def decided():
            status, _, body = request("GET", f"{base}/reviews/{review['documentId']}")
            row = json.loads(body)
            return row if status == 200 and row["documentStatus"] != "PENDING_REVIEW" else None
        row = wait_for(decided)
        check(row is not None, f"[{strategy}] the row gets its verdict with no other help")
        _, _, body = request("GET", f"{desk_base}/document/{review['documentId']}")
        check(row["documentStatus"] == json.loads(body)["documentStatus"], f"[{strategy}] the row holds the Help Desk's verdict")

        forged = json.dumps({"agentId": "agent_1", "documentId": review["documentId"],
                             "documentStatus": "DECLINED" if row["documentStatus"] == "ACCEPTED" else "ACCEPTED"}).encode()
        other = Webhook("whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB")
        timestamp = datetime.datetime.now(datetime.timezone.utc)
        headers = {"webhook-id": "msg_forged", "webhook-timestamp": str(int(timestamp.timestamp())),
                   "webhook-signature": other.sign("msg_forged", timestamp, forged.decode()), "Content-Type": "application/json"}
        req = urllib.request.Request(f"{base}/document/update", data=forged, method="POST", headers=headers)
        try:
            urllib.request.urlopen(req, timeout=10)
            status = 200
        except urllib.error.HTTPError as error:
            status = error.code
        check(status == 401, f"[{strategy}] a forged webhook is refused with 401 (got {status})")
        _, _, body = request("GET", f"{base}/reviews/{review['documentId']}")
        check(json.loads(body) == row, f"[{strategy}] the forged webhook changed nothing")
        families = check_metrics(base, f"app, {strategy}")
        check({"http_requests_total", "flows_verdicts_total"} <= families, f"[{strategy}] the app's metrics include its requests and verdicts")
    finally:
        app.terminate()
        code = app.wait(timeout=30)
        reader.join(timeout=10)
    check(code == 0, f"[{strategy}] SIGTERM shuts the app down cleanly (exit {code})")


def check_instances(bench, desk_base, postgres_url):
    """Two `serve app --instance` processes over one PostgreSQL schema: each one's documents get their verdicts, and
    the leases in the database name both instances, each holding only the documents it polled."""
    schema = f"standalone_{os.getpid()}"
    database = f"{postgres_url}?schema={schema}"
    apps = []
    try:
        for name in ("a", "b"):
            command = [bench, "serve", "app", "--port", "0", "--helpdesk", desk_base, "--db", database, "--strategy", "poll-fixed:1s",
                       "--time-scale", "0.01", "--secret", SECRET, "--instance", name, "--lease", "30s"]
            apps.append(start(command, "Flows"))
        documents = {}
        for name, (_, port, _) in zip(("a", "b"), apps):
            base = f"http://127.0.0.1:{port}"
            for index in range(3):
                status, _, body = request("POST", f"{base}/reviews", {"documentUrl": f"https://example.com/{name}{index}.pdf"},
                                          {"Content-Type": "application/json"})
                check(status == 201, f"[instance {name}] POST /reviews answers 201 (got {status})")
                documents[json.loads(body)["documentId"]] = (name, base)

        def all_decided():
            for document, (_, base) in documents.items():
                status, _, body = request("GET", f"{base}/reviews/{document}")
                if status != 200 or json.loads(body)["documentStatus"] == "PENDING_REVIEW":
                    return None
            return True
        check(wait_for(all_decided), "[instances] every document of both instances gets its verdict")
        leases = subprocess.run(["psql", postgres_url, "-At", "-F", " ", "-c", f'SELECT document_id, owner FROM "{schema}".document_leases'],
                                capture_output=True, text=True, timeout=30, check=True).stdout.split()
        owners = dict(zip(leases[0::2], leases[1::2]))
        check(owners == {document: name for document, (name, _) in documents.items()},
              f"[instances] each document's lease is held by the instance that polled it ({owners})")
    finally:
        for app, _, reader in apps:
            app.terminate()
            app.wait(timeout=30)
            reader.join(timeout=10)
        subprocess.run(["psql", postgres_url, "-q", "-c", f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'], capture_output=True, timeout=30)


def check_decision_tools(bench):
    """`Bench plan`, `Bench sweep`, `Bench run`, `Bench receiver`, `Bench transport`, `Bench check` and `serve helpdesk`
    refuse bad distributions and options (a clock, a network delay, an arrival rate given twice, a baseline that is
    missing, unparsable or of another schema version, valgrind missing, workload options that do not apply or differ
    from the baseline's) with exit 64
    and a message naming the option (and an empirical file's bad line), creating nothing; a plan from an empirical
    file of observed delays writes its files."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "out")
        delays = os.path.join(folder, "delays.csv")
        with open(delays, "w") as file:
            file.write("document_id,delay_s\na,300\nb,12m\nc,later\n")
        plan = [bench, "plan", "--documents-per-day", "5000", "--out", out]
        old_baseline = os.path.join(folder, "baseline-v1.json")
        with open(old_baseline, "w") as file:
            file.write('{"schemaVersion": 1, "figures": []}')
        for command, expected in [
            (plan, "--review-delay: a uniform distribution needs a range"),
            (plan + ["--review-delay-distribution", "lognormal:20m"], "lognormal takes 2 parameters"),
            (plan + ["--review-delay-distribution", "exponential:soon"], "the mean \"soon\" is not a duration"),
            # A duration without its unit, anywhere a user types one, is refused rather than taken as seconds.
            (plan + ["--review-delay", "10...120"], "--review-delay <review-delay>': \"10\" has no unit: give one, such as 10s or 10m"),
            (plan + ["--review-delay", "10m...2h", "--review-delay-distribution", "lognormal:30,0.6"], "the median \"30\" has no unit"),
            (plan + ["--review-delay", "10m...2h", "--target-p99", "2"], "\"2\" has no unit"),
            ([bench, "run", "--strategies", "poll-fixed:1", "--out", out], "the interval: \"1\" has no unit"),
            ([bench, "run", "--network-delay", "25", "--out", out], "\"25\" has no unit"),
            # A reversed range says so; a median outside the range says so; a negative number gets the range message.
            (plan + ["--review-delay", "2h...10m"], "\"2h...10m\" is reversed: give the shorter duration first, 10m...2h"),
            (plan + ["--review-delay", "10m...2h", "--review-delay-distribution", "lognormal:30s,0.6"],
             "the median 30s lies outside the review delays 10m...2h"),
            ([bench, "plan", "--documents-per-day", "-5000", "--review-delay", "10m...2h", "--out", out], "--documents-per-day must be from 1 to"),
            ([bench, "run", "--documents", "-3", "--out", out], "--documents must be"),
            (plan + ["--review-delay-distribution", f"empirical:{delays}"], f"{delays} line 4: \"later\" is not a delay"),
            (plan + ["--review-delay", "5m...4h", "--rate-limit", "10/week"], "--rate-limit: \"10/week\" is not a limit such as 400/m"),
            (plan + ["--review-delay", "5m...4h", "--rate-limit", "2/s,bucket:0"], "--rate-limit: \"2/s,bucket:0\" is not a limit"),
            (plan + ["--review-delay", "5m...4h", "--vendor", "acme"], "--vendor: unknown vendor \"acme\"; known vendors: zendesk-team"),
            (plan + ["--review-delay", "5m...4h", "--verify", "--clock", "wall"], "--verify runs the plan's day in virtual time; --clock wall cannot"),
            (plan + ["--review-delay", "5m...4h", "--max-in-flight", "0"], "--max-in-flight must be from 1 to 100000"),
            (plan + ["--review-delay", "5m...4h", "--loss-budget", "-1"], "--loss-budget must be a number of documents a day, 0 or more"),
            ([bench, "run", "--vendor", "acme", "--out", out], "--vendor: unknown vendor \"acme\""),
            # What the vendor does not offer is not compared; naming it is refused unless --include-unoffered.
            ([bench, "run", "--vendor", "zendesk-growth", "--strategies", "webhook,sse", "--out", out],
             "--strategies: sse needs what is not offered by zendesk-growth: a push stream; leave it out, or give --include-unoffered"),
            (plan + ["--review-delay", "5m...4h", "--vendor", "zendesk-growth", "--strategies", "long-poll:30s"],
             "--strategies: long-poll:30s needs what is not offered by zendesk-growth: long-polls"),
            (plan + ["--review-delay", "5m...4h", "--vendor", "zendesk-growth", "--strategies", "poll-conditional:1m"],
             "poll-conditional:60s needs what is not published by zendesk-growth: conditional reads with 304"),
            ([bench, "sweep", "--vendor", "github", "--references", "webhook-thin", "--out", out], "--references: webhook-thin needs what is not offered by github"),
            ([bench, "serve", "helpdesk", "--port", "0", "--vendor", "acme"], "--vendor: unknown vendor \"acme\""),
            ([bench, "serve", "helpdesk", "--port", "0", "--retry-schedule", "0s,5m,5s"], "--retry-schedule \"0s,5m,5s\": the delays must not decrease"),
            ([bench, "serve", "helpdesk", "--port", "0", "--retry-schedule", ""], "--retry-schedule \"\": a duration is missing"),
            ([bench, "serve", "helpdesk", "--port", "0", "--retry-schedule=-5s"], "--retry-schedule \"-5s\": \"-5s\" is negative"),
            ([bench, "serve", "helpdesk", "--port", "0", "--disable-after-failures", "0"], "--disable-after-failures must be positive"),
            ([bench, "serve", "helpdesk", "--port", "0", "--disable-after", "forever"], "--disable-after \"forever\" is not a positive duration"),
            ([bench, "run", "--circuit-breaker", "170%,5m,20,5m", "--out", out], "--circuit-breaker \"170%,5m,20,5m\" is not a breaker"),
            ([bench, "run", "--retry-schedule", "soon", "--out", out], "--retry-schedule \"soon\": \"soon\" is not a duration"),
            ([bench, "outages", "--outages", "1h,forever", "--out", out], "--outages: \"forever\" is not a duration"),
            ([bench, "outages", "--strategies", "carrier-pigeon", "--out", out], "--strategies: unknown strategy"),
            (plan + ["--review-delay", "5m...4h", "--families", "poll-sometimes"], "unknown polling family \"poll-sometimes\""),
            ([bench, "sweep", "--intervals", "1s,fast", "--out", out], "--intervals: \"fast\" is not a duration"),
            ([bench, "sweep", "--references", "carrier-pigeon", "--out", out], "--references: unknown strategy"),
            ([bench, "run", "--review-delay-distribution", "gamma:2", "--out", out], "unknown distribution \"gamma:2\""),
            ([bench, "serve", "helpdesk", "--port", "0", "--review-delay-distribution", "lognormal:1s,0"], "sigma must be a positive number"),
            ([bench, "run", "--clock", "sometimes", "--out", out], "The value 'sometimes' is invalid for '--clock <clock>'"),
            ([bench, "run", "--network-delay=-5ms", "--out", out], "--network-delay: must be a duration (25ms), a range drawn evenly (10ms...40ms), exponential:MEAN, lognormal:MEDIAN,SIGMA or empirical:FILE.csv: \"-5ms\" is negative"),
            ([bench, "run", "--network-delay", "40ms...10ms", "--out", out], "--network-delay: a range of delays is two durations"),
            ([bench, "run", "--documents-per-day", "0", "--out", out], "--documents-per-day must be a positive number"),
            ([bench, "run", "--documents-per-day", "20000", "--rate", "2", "--out", out], "--documents-per-day and --rate both set the arrival rate"),
            ([bench, "run", "--clock", "virtual", "--time-scale", "0.1", "--out", out], "--time-scale applies to --clock wall only"),
            ([bench, "run", "--duration", "1d", "--documents", "10", "--out", out], "--duration and --documents both say how many documents"),
            ([bench, "sweep", "--clock", "virtual", "--time-scale", "0.5", "--out", out], "--time-scale applies to --clock wall only"),
            ([bench, "receiver", "--clock", "virtual", "--out", out], "--clock virtual does not apply"),
            ([bench, "transport", "--clock", "virtual", "--out", out], "--clock virtual does not apply"),
            ([bench, "check", "--clock", "wall", "--out", out], "--clock wall cannot be checked"),
            ([bench, "check", "--baseline", os.path.join(folder, "none.json"), "--out", out], "none.json cannot be read"),
            ([bench, "check", "--baseline", delays, "--out", out], "delays.csv is not a JSON object"),
            ([bench, "check", "--baseline", old_baseline, "--out", out], "has schema version 1; this Bench reads schema version 2"),
            ([bench, "check", "--out", out, "--", "--out", "elsewhere"], "--out after --: give it to Bench check itself"),
            ([bench, "check", "--baseline", os.path.join(folder, "mine.json"), "--update", "--out", out, "--", "--documents", "none"],
             "the workload --documents none:"),
            ([bench, "check", "--run", folder, "--", "--documents", "5"], "the workload options after -- do not apply"),
            ([bench, "check", "--out", out, "--", "--documents", "5"], "was measured on the workload `--profile ci`, not `--documents 5`"),
            # Shards: what cannot be split is refused by name, before anything runs.
            ([bench, "run", "--shards", "0", "--out", out], "--shards must be from 1 to 64"),
            ([bench, "run", "--shard", "3/2", "--out", out], "--shard 3/2: shard 3/2 does not exist: shards of 2 are numbered 0 to 1"),
            ([bench, "run", "--shard", "half", "--out", out], "\"half\" is not a shard: write INDEX/COUNT"),
            ([bench, "run", "--shard", "0/2", "--clock", "wall", "--out", out], "shards run on the virtual clock only"),
            ([bench, "run", "--shards", "2", "--strategies", "webhook,sse", "--out", out], "sse reads the Help Desk's one event stream"),
            ([bench, "run", "--shards", "2", "--strategies", "webhook", "--vendor", "zendesk-growth", "--out", out], "the vendor's rate limit"),
            ([bench, "run", "--shards", "2", "--strategies", "webhook", "--network-delay", "10ms...40ms", "--out", out], "a drawn network delay can reorder submissions"),
            ([bench, "run", "--shards", "2", "--shard", "0/2", "--out", out], "--shards runs every shard and --shard one of them"),
            ([bench, "run", "--shards", "2", "--scenario", "faults", "--out", out], "--scenario faults and --profile ci run several scenarios"),
            ([bench, "run", "--shards", "2", "--db", folder, "--out", out], "leave --db out"),
            ([bench, "merge", "--out", out], "give the shards' folders"),
            ([bench, "merge", folder, "--out", out], "no shard.json there"),
        ]:
            refused = subprocess.run(command, capture_output=True, text=True, timeout=60)
            check(refused.returncode == 64 and expected in refused.stderr,
                  f"{' '.join(command[1:3])} ... is refused with exit 64 naming the problem: {expected} (exit {refused.returncode}: {refused.stderr.strip()[:300]})")
            check(not os.path.exists(out), f"the refused {command[1]} creates no output folder")

        # The gate's counted figures need valgrind: without it the gate is refused, naming it, before anything runs.
        refused = subprocess.run([bench, "check", "--out", out], capture_output=True, text=True, timeout=60, env=dict(os.environ, PATH="/nonexistent"))
        check(refused.returncode == 64 and "valgrind is not installed (apt-get install valgrind)" in refused.stderr,
              f"check without valgrind is refused with exit 64 naming it (exit {refused.returncode}: {refused.stderr.strip()[:300]})")
        check(not os.path.exists(out), "the refused check creates no output folder")

        # With a vendor, the plan compares what it offers and says what it left out; --include-unoffered marks them.
        offered = subprocess.run(plan + ["--review-delay", "5m...4h", "--vendor", "zendesk-growth"], capture_output=True, text=True, timeout=300)
        check(offered.returncode == 0, f"a plan for zendesk-growth runs (exit {offered.returncode}: {offered.stderr.strip()[:300]})")
        table = offered.stdout.split("Not compared:")[0]
        check("webhook " in table and "poll-events:1s" in table and "long-poll" not in table and "sse" not in table,
              f"the plan for zendesk-growth compares only what Zendesk offers ({table[-900:]})")
        check("\nRecommended: hybrid:60s,120s, " in offered.stdout and "the cheapest that stays within the vendor's read limit and loses no document at 1 % dropped webhooks" in offered.stdout
              and "Cheaper, passed over: webhook (50 documents lost a day at 1 % dropped webhooks)" in offered.stdout,
              f"the plan ends with its recommendation, the cheaper webhook passed over for its loss ({offered.stdout[-700:]})")
        check("Not compared: poll-conditional:1s (not published by zendesk-growth: conditional reads with 304); long-poll:30s (not offered by zendesk-growth: long-polls); sse (not offered by zendesk-growth: a push stream)" in offered.stdout,
              f"the plan says what it left out and why ({offered.stdout[-600:]})")
        marked = subprocess.run(plan + ["--review-delay", "5m...4h", "--vendor", "zendesk-growth", "--include-unoffered"], capture_output=True, text=True, timeout=300)
        check(marked.returncode == 0 and "sse (not offered)" in marked.stdout and "long-poll:30s (not offered)" in marked.stdout
              and "poll-conditional:1s (unpublished)" in marked.stdout and "Not compared" not in marked.stdout,
              f"--include-unoffered compares them, marked ({marked.stdout[-900:]})")
        shutil.rmtree(out, ignore_errors=True)

        with open(delays, "w") as file:
            file.write("document_id,delay_s\na,300\nb,12m\nc,1.5h\n")
        made = subprocess.run(plan + ["--review-delay-distribution", f"empirical:{delays}", "--strategies", "webhook,poll-fixed:60s",
                                      "--families", "poll-fixed", "--target-p99", "2m", "--rate-limit", "600/m"],
                              capture_output=True, text=True, timeout=300)
        check(made.returncode == 0, f"a plan from observed delays runs (exit {made.returncode}: {made.stderr.strip()[:300]})")
        check("with p99 at most 120s" in made.stdout and "  poll-fixed: poll-fixed:" in made.stdout,
              f"the plan names the cheapest fixed interval meeting p99 2m ({made.stdout[-600:]})")
        for name in ["plan.csv", "run.json", "report.html", "plan.svg"]:
            check(os.path.isfile(os.path.join(out, name)), f"the plan writes {name}")


def check_shards(bench):
    """A virtual run split into two shards, by `--shards 2` and by `--shard I/2` plus `Bench merge`, writes the files
    of the unsharded run (but for the machine's columns, the stepper's counts and each shard database's start-up
    statements); a merge of an incomplete set, of shards of another seed, or with a failed shard is refused (exit 64,
    or 1 for the failed shard) and writes nothing."""
    workload = ["--documents", "60", "--network-delay", "25ms", "--strategies", "webhook,poll-fixed:1s,long-poll:5s", "--max-in-flight", "100"]
    differs = {"db_time_ms", "cpu_user_s", "cpu_sys_s", "wall_s", "cpu_ms_per_doc", "peak_rss_mb", "latency_p50_wall_ms",
               "latency_p99_wall_ms", "events_per_wall_s", "wall_s_per_model_day", "steps", "model_events", "db_statements"}

    def summary(folder):
        with open(os.path.join(folder, "summary.csv")) as file:
            return list(csv.DictReader(file))

    def same(first, second, label):
        a, b = summary(first), summary(second)
        check(len(a) == len(b) == 3, f"{label}: a row per strategy")
        for row_a, row_b in zip(a, b):
            moved = [(column, row_a[column], row_b[column]) for column in row_a if column not in differs and row_a[column] != row_b[column]]
            check(not moved, f"{label}: {row_a['strategy']} equals the unsharded run ({moved[:3]})")
            check(int(row_a["db_statements"]) <= int(row_b["db_statements"]) <= int(row_a["db_statements"]) + 60,
                  f"{label}: {row_a['strategy']}'s statements are the unsharded run's and one shard database's start-up at most")
        with open(os.path.join(first, "latency.csv")) as file_a, open(os.path.join(second, "latency.csv")) as file_b:
            check(file_a.read() == file_b.read(), f"{label}: latency.csv equals the unsharded run's")

    with tempfile.TemporaryDirectory() as folder:
        whole, two, parts, merged = (os.path.join(folder, name) for name in ["whole", "two", "parts", "merged"])
        commands = [[bench, "run", *workload, "--out", whole], [bench, "run", *workload, "--shards", "2", "--out", two]]
        commands += [[bench, "run", *workload, "--shard", f"{index}/2", "--out", os.path.join(parts, str(index))] for index in range(2)]
        for command in commands:
            ran = subprocess.run(command, capture_output=True, text=True, timeout=600)
            check(ran.returncode == 0, f"{' '.join(command[2:])[-40:]} runs (exit {ran.returncode}: {ran.stderr.strip()[-400:]})")
        same(whole, two, "--shards 2")
        shard_folders = [os.path.join(parts, str(index)) for index in range(2)]
        ran = subprocess.run([bench, "merge", *reversed(shard_folders), "--out", merged], capture_output=True, text=True, timeout=300)
        check(ran.returncode == 0, f"Bench merge of --shard 0/2 and 1/2 runs (exit {ran.returncode}: {ran.stderr.strip()[-400:]})")
        same(whole, merged, "--shard I/2 and Bench merge")
        with open(os.path.join(merged, "run.json")) as file:
            check(json.load(file)["parameters"].get("shards") == "2", "run.json says the run was merged from 2 shards")

        refused_out = os.path.join(folder, "refused")
        other_seed = os.path.join(folder, "seed-7")
        ran = subprocess.run([bench, "run", *workload, "--seed", "7", "--shard", "1/2", "--out", other_seed], capture_output=True, text=True, timeout=600)
        check(ran.returncode == 0, "a shard of another seed runs")
        failed = os.path.join(folder, "failed")
        os.makedirs(failed)
        with open(os.path.join(shard_folders[1], "shard.json")) as file:
            record = json.load(file)
        record["failure"] = "the disk is full"
        with open(os.path.join(failed, "shard.json"), "w") as file:
            json.dump(record, file)
        for shards, status, expected in [
            ([shard_folders[0]], 64, "shard 1/2 of 2 is missing: nothing is merged from an incomplete set"),
            ([shard_folders[0], shard_folders[0], shard_folders[1]], 64, "shard 0/2 is given twice"),
            ([shard_folders[0], other_seed], 64, "seed 7 against 42"),
            ([shard_folders[0], failed], 1, "shard 1/2 (" + failed + ") failed: the disk is full"),
        ]:
            refused = subprocess.run([bench, "merge", *shards, "--out", refused_out], capture_output=True, text=True, timeout=60)
            check(refused.returncode == status and expected in refused.stderr,
                  f"merge is refused with exit {status}: {expected} (exit {refused.returncode}: {refused.stderr.strip()[:300]})")
            check(not os.path.exists(refused_out), "the refused merge creates no output folder")


def main():
    bench = sys.argv[1]
    check_decision_tools(bench)
    check_shards(bench)
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    callback = f"http://127.0.0.1:{receiver.server_address[1]}/document/update"

    server = subprocess.Popen(
        [bench, "serve", "helpdesk", "--port", "0", "--time-scale", "0.01", "--secret", SECRET, "--log-level", "trace"],
        stderr=subprocess.PIPE, text=True)
    reader = None
    try:
        port = None
        for line in server.stderr:
            server_output.append(line)
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        check(port is not None, "the Help Desk reports its port")
        reader = collect(server)
        base = f"http://127.0.0.1:{port}"
        json_headers = {"Content-Type": "application/json"}

        status, headers, body = request("POST", f"{base}/document",
                                        {"documentUrl": "https://example.com/contract.pdf", "metadata": {"team": "legal"}},
                                        {**json_headers, "X-Callback-Url": callback})
        check(status == 201, f"POST /document answers 201 (got {status})")
        document = json.loads(body)
        check(document["documentStatus"] == "PENDING_REVIEW", "a new document is PENDING_REVIEW")

        outcome, payload, webhook_headers = received.get(timeout=30)
        check(outcome == "verified", f"the official Standard Webhooks library verifies the webhook ({payload})")
        check(payload["documentId"] == document["documentId"], "the webhook names the document")
        check(payload["documentStatus"] in ("ACCEPTED", "DECLINED"), "the webhook carries a verdict")
        check(payload.get("metadata") == {"team": "legal"}, "the webhook echoes the metadata")

        status, headers, body = request("GET", f"{base}/document/{document['documentId']}")
        etag = headers.get("ETag") or headers.get("etag")
        check(status == 200 and etag, "GET /document/{id} answers 200 with an ETag")
        check(json.loads(body)["documentStatus"] == payload["documentStatus"], "the state matches the webhook")
        status, _, _ = request("GET", f"{base}/document/{document['documentId']}", headers={"If-None-Match": etag})
        check(status == 304, f"a matching If-None-Match answers 304 (got {status})")

        for name, body, extra, field in [
            ("an external callback host", {"documentUrl": "https://example.com/a.pdf"}, {"X-Callback-Url": "http://example.org/hook"}, "X-Callback-Url"),
            ("a missing documentUrl", {}, {}, "documentUrl"),
            ("a callback with credentials", {"documentUrl": "https://example.com/a.pdf"}, {"X-Callback-Url": "http://user:pw@127.0.0.1/x"}, "X-Callback-Url"),
        ]:
            status, _, body = request("POST", f"{base}/document", body, {**json_headers, **extra})
            error = json.loads(body)
            check(status == 400 and error.get("field") == field, f"{name} answers 400 naming {field}")
        status, _, body = request("GET", f"{base}/document/doc_unknown")
        check(status == 404 and "error" in json.loads(body), "an unknown document answers 404 with a JSON error")

        more = []
        for index in range(4):
            status, _, body = request("POST", f"{base}/document", {"documentUrl": f"https://example.com/stream-{index}.pdf"}, json_headers)
            check(status == 201, f"POST /document without a callback answers 201 (got {status})")
            more.append(json.loads(body))
        check_stream(base, [document] + more)
        families = check_metrics(base, "Help Desk")
        check({"http_requests_total", "helpdesk_webhook_delivered_total", "helpdesk_webhook_delivery_latency_seconds"} <= families,
              "the Help Desk's metrics include its requests, deliveries and delivery latency")

        with tempfile.TemporaryDirectory() as folder:
            # The secret reaches the app once from the environment, once from the flag.
            check_app(bench, base, "webhook", folder, secret_from_environment=True)
            # The poller's requests go through URLSession (libcurl): the other transport, end to end.
            check_app(bench, base, "poll-fixed:1s", folder, secret_from_environment=False, client="urlsession")
            postgres_url = os.environ.get("FLOWS_TEST_POSTGRES_URL")
            if postgres_url:
                check_instances(bench, base, postgres_url)
            else:
                print("skipped: two serve app instances over PostgreSQL (set FLOWS_TEST_POSTGRES_URL to run it)")
            # Instances share leases only through a database they can all reach: refused before anything starts.
            database = os.path.join(folder, "instances.sqlite")
            for arguments, expected in [
                (["--instance", "a", "--db", database], "--instance needs a database instances can share"),
                (["--lease", "5s", "--db", database], "--lease needs --instance"),
            ]:
                refused = subprocess.run([bench, "serve", "app", "--port", "0", "--helpdesk", base, "--strategy", "poll-fixed:1s", *arguments],
                                         capture_output=True, text=True, timeout=30)
                check(refused.returncode == 64 and expected in refused.stderr,
                      f"serve app {' '.join(arguments[:2])} is refused with exit 64 and a message (exit {refused.returncode}: {refused.stderr.strip()[:200]})")
                check(not os.path.exists(database), f"serve app {' '.join(arguments[:2])} refused creates no database")
    finally:
        server.terminate()
        code = server.wait(timeout=30)
        if reader:
            reader.join(timeout=10)
        receiver.shutdown()
    check(code == 0, f"SIGTERM shuts the Help Desk down cleanly (exit {code})")
    key = SECRET.removeprefix("whsec_")
    output = "".join(server_output)
    check(len(server_output) > 10 and key not in output,
          f"the secret appears nowhere in the {len(server_output)} lines both servers logged at trace level")


if __name__ == "__main__":
    main()
