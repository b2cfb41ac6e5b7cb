"""``narrative review ml-backend``: Label Studio's ML backend protocol over the current model.

``GET /health``, ``POST /setup``, ``POST /predict`` and ``POST /webhook``, implemented directly
(PyPI's ``label-studio-ml`` is the old v1 with conflicting Flask pins). The model folder is
loaded once; ``/predict`` runs ``narrative.extract`` on the tasks' redacted text and answers the
same predictions ``narrative review push`` imports. Annotation webhooks are appended to a JSON
Lines log (ids and times only, never text) that the retraining loop reads.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from narrative.extract.pipeline import Extractor
from narrative.io import Reject
from narrative.records import RecordError, RedactedNote, parse_iso_date
from narrative.review.push import prediction

ANNOTATION_EVENTS = ("ANNOTATION_CREATED", "ANNOTATIONS_CREATED", "ANNOTATION_UPDATED", "ANNOTATIONS_DELETED")


class Backend:
    """One loaded model answering Label Studio; ``webhook_log`` collects annotation events."""

    def __init__(self, model_dir: str | Path, webhook_log: str | Path, cases: dict | None = None):
        self.extractor = Extractor(model_dir, cases)
        self.webhook_log = Path(webhook_log)
        self.lock = threading.Lock()

    def health(self) -> dict:
        return {"status": "UP", "model_class": "narrative", "model_version": self.extractor.model_version}

    def setup(self, body: dict) -> dict:
        return {"model_version": self.extractor.model_version}

    def predict(self, body: dict) -> dict:
        """One prediction per task, in order; a task that is not a pushed note gets an empty one."""
        notes = [_note(task) for task in body.get("tasks") or []]
        with self.lock:
            found = list(self.extractor.extract_many(notes))
        empty = {"model_version": self.extractor.model_version, "score": 0.0, "result": []}
        return {"results": [empty if isinstance(item, Reject) else prediction(item) for item in found],
                "model_version": self.extractor.model_version}

    def webhook(self, body: dict) -> dict:
        """Record an annotation event (ids and times only) for retraining."""
        action = body.get("action")
        if action not in ANNOTATION_EVENTS:
            return {"recorded": False}
        annotation = body.get("annotation") or {}
        task = body.get("task") or {}
        event = {"received_at": datetime.now(timezone.utc).isoformat(), "action": action,
                 "project": (body.get("project") or {}).get("id"), "task": task.get("id"),
                 "note_id": (task.get("data") or {}).get("note_id"), "annotation": annotation.get("id"),
                 "completed_by": annotation.get("completed_by"), "updated_at": annotation.get("updated_at")}
        self.webhook_log.parent.mkdir(parents=True, exist_ok=True)
        with self.lock, self.webhook_log.open("a", encoding="utf-8") as log:
            log.write(json.dumps(event) + "\n")
        return {"recorded": True}


def _note(task: dict) -> RedactedNote | Reject:
    data = task.get("data") or {}
    note_id = str(data.get("note_id") or f"task {task.get('id')}")
    try:
        if not isinstance(data.get("text"), str) or not data.get("case_id"):
            raise RecordError("not a task pushed by narrative", field="data")
        return RedactedNote(note_id, str(data["case_id"]), parse_iso_date(data.get("note_date"), "note_date"),
                            data["text"], [], {"source": "label-studio task"})
    except RecordError as err:
        return Reject(f"task {task.get('id')}", err.reason, err.field, note_id)


def make_server(backend: Backend, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """An HTTP server speaking the ML backend protocol for ``backend``."""
    routes = {("GET", "/health"): lambda body: backend.health(), ("GET", "/"): lambda body: backend.health(),
              ("POST", "/setup"): backend.setup, ("POST", "/predict"): backend.predict,
              ("POST", "/webhook"): backend.webhook}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            route = routes.get((method, self.path.split("?")[0].rstrip("/") or "/"))
            if route is None:
                return self._send(404, {"error": "not found"})
            try:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if method == "POST" else {}
            except ValueError:
                return self._send(400, {"error": "body is not JSON"})
            try:
                self._send(200, route(body))
            except Exception as err:  # noqa: BLE001 - answer Label Studio, never die on one request
                self._send(500, {"error": type(err).__name__})

        def _send(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802 - http.server's names
            self._answer("GET")

        def do_POST(self):  # noqa: N802
            self._answer("POST")

        def log_message(self, *args):  # request lines could carry nothing sensitive, but stay quiet
            pass

    return ThreadingHTTPServer((host, port), Handler)
