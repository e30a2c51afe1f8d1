"""The demo's Flask app, served by gunicorn behind nginx (see ../supervisord.conf)."""

from __future__ import annotations

import sys
import time

from flask import Flask, Response, jsonify, request

app = Flask(__name__)


def _text(body: str) -> Response:
    return Response(body, mimetype="text/plain")


@app.get("/")
def index() -> Response:
    return _text("Hello from Flask, through nginx and gunicorn\n")


@app.get("/health")
def health() -> Response:
    return jsonify(status="ok")


@app.get("/slow")
def slow() -> Response:
    """Answer after ``?seconds=`` (at most 5): shows that a graceful stop lets a request in
    flight finish."""
    seconds = min(max(request.args.get("seconds", 1.0, type=float), 0.0), 5.0)
    print(f"slow request started ({seconds:g} s)", file=sys.stderr, flush=True)
    time.sleep(seconds)
    return _text(f"slow response after {seconds:g} s\n")
