"""A single-worker Python webhook receiver doing the same work as ours, to compare with `Bench receiver`.

FastAPI + uvicorn (one worker) + the official standardwebhooks library + sqlite3 in WAL mode with
synchronous=NORMAL: verify the signature, check the content type, validate the body, deduplicate by webhook-id and
apply the verdict with the indexed UPDATE, all in one transaction committed before the answer.

    python3 -m pip install -r scripts/python_receiver.requirements.txt   # the pinned versions it was measured with
    python3 scripts/python_receiver.py --db /tmp/py.sqlite --rows 100000 --port 8099 --secret whsec_...
    BENCH_RECEIVER_SECRET=whsec_... .build-release/release/Bench receiver-load --port 8099 \\
        --path /document/update --rows 100000 --requests 200000 --connections 32 --duration 10s --warmup 1s --unique

The rows are doc_0 ... doc_<rows - 1>, as `Bench receiver` loads them, so the load generator's deliveries apply.
"""

import argparse
import json
import os
import sqlite3
from datetime import datetime, timezone

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def prepare(path: str, rows: int) -> None:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.executescript(
        """
        CREATE TABLE document_reviews (id INTEGER PRIMARY KEY, document_url TEXT NOT NULL, agent_id TEXT,
            document_id TEXT, document_status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE received_webhooks (webhook_id TEXT PRIMARY KEY, document_id TEXT NOT NULL, received_at TEXT NOT NULL);
        CREATE INDEX document_reviews_on_document_id ON document_reviews (document_id);
        """
    )
    db.execute(
        """
        WITH RECURSIVE counter(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM counter WHERE n + 1 < ?)
        INSERT INTO document_reviews (document_url, agent_id, document_id, document_status, created_at, updated_at)
        SELECT 'https://example.com/' || n || '.pdf', 'agent_1', 'doc_' || n, 'PENDING_REVIEW',
               '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000' FROM counter
        """,
        (rows,),
    )
    db.commit()
    db.close()


def make_app(path: str, secret: str) -> FastAPI:
    app = FastAPI()
    verifier = Webhook(secret)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")

    def error(status: int, message: str, field: str | None = None) -> JSONResponse:
        return JSONResponse({"error": message, "field": field} if field else {"error": message}, status_code=status)

    @app.post("/document/update")
    async def receive(request: Request):
        body = await request.body()
        try:
            verifier.verify(body, dict(request.headers))
        except WebhookVerificationError as failure:
            return error(401, str(failure), "webhook-signature")
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return error(415, "the body must be sent as application/json", "Content-Type")
        try:
            payload = json.loads(body)
        except ValueError:
            return error(400, "the body must be a JSON object")
        if not isinstance(payload, dict):
            return error(400, "the body must be a JSON object")
        for field in ("agentId", "documentId", "documentStatus"):
            if not isinstance(payload.get(field), str) or not payload[field]:
                return error(422, f"{field}: is required", field)
        status = payload["documentStatus"]
        if status not in ("ACCEPTED", "DECLINED"):
            return error(422, "documentStatus: must be ACCEPTED or DECLINED", "documentStatus")
        webhook_id = request.headers["webhook-id"]
        now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        db.execute("BEGIN IMMEDIATE")
        try:
            inserted = db.execute(
                "INSERT OR IGNORE INTO received_webhooks (webhook_id, document_id, received_at) VALUES (?, ?, ?)",
                (webhook_id, payload["documentId"], now),
            ).rowcount
            if inserted == 0:
                db.execute("COMMIT")
                return {"result": "duplicate"}
            changed = db.execute(
                'UPDATE "document_reviews" SET "document_status" = ?, "updated_at" = ? '
                'WHERE ("document_id" = ?) AND ("document_status" = ?)',
                (status, now, payload["documentId"], "PENDING_REVIEW"),
            ).rowcount
            if changed == 0:
                existing = db.execute(
                    "SELECT document_status FROM document_reviews WHERE document_id = ? LIMIT 1", (payload["documentId"],)
                ).fetchone()
                if existing and existing[0] != status:
                    db.execute("ROLLBACK")
                    return error(409, f"document is already {existing[0]}", "documentStatus")
                db.execute("COMMIT")
                return {"result": "already_applied"}
            db.execute("COMMIT")
            return {"result": "applied"}
        except Exception:
            db.execute("ROLLBACK")
            raise

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--secret", required=True, help="whsec_... shared with the load generator")
    arguments = parser.parse_args()
    prepare(arguments.db, arguments.rows)
    uvicorn.run(make_app(arguments.db, arguments.secret), host="127.0.0.1", port=arguments.port, workers=1, log_level="warning")


if __name__ == "__main__":
    main()
