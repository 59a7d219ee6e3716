#!/usr/bin/env python3
"""End-to-end check of a standalone Help Desk against the official Standard Webhooks library.

Starts `Bench serve helpdesk` on a free port with a known secret, runs a receiver that verifies every webhook
with `standardwebhooks.Webhook.verify`, submits a document with a loopback callback URL, and checks:
the webhook arrives and verifies; the decided state is served with an ETag; a matching If-None-Match answers 304;
bad input answers 4xx with a JSON error naming the field. Exits non-zero on the first failure.

Usage: scripts/standalone_check.py PATH_TO_BENCH_BINARY
"""
import http.server
import json
import queue
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request

from standardwebhooks.webhooks import Webhook

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


def check(condition, message):
    if not condition:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {message}")


def main():
    bench = sys.argv[1]
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    callback = f"http://127.0.0.1:{receiver.server_address[1]}/document/update"

    server = subprocess.Popen(
        [bench, "serve", "helpdesk", "--port", "0", "--time-scale", "0.01", "--secret", SECRET],
        stderr=subprocess.PIPE, text=True)
    try:
        port = None
        for line in server.stderr:
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        check(port is not None, "the Help Desk reports its port")
        threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()
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
    finally:
        server.terminate()
        code = server.wait(timeout=30)
        receiver.shutdown()
    check(code == 0, f"SIGTERM shuts the Help Desk down cleanly (exit {code})")


if __name__ == "__main__":
    main()
