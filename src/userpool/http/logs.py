"""The server's log lines: plain text (the default, as uvicorn writes them) or one JSON object a
line (`--log-format json`), and the request each line was logged in.

Every HTTP request gets an id when it arrives (http/observed.py), kept in a context variable
for as long as it is served: the event loop's task, and the worker thread it may hop to (anyio
copies the context into it). The AWS JSON endpoint answers with that id in `x-amzn-RequestId`,
as Cognito does, so a client's error report finds its server lines.

What a line may say: the request's operation, status and timing, and what the code logging it
chose to say. Parameters and bodies are never logged (they carry passwords, codes, sessions
and tokens); tests/test_logs.py scans a debug run's whole output for every secret it used.
The one exception is the `console` delivery backend, whose job is to print the messages it
"sends", codes included.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from typing import Any

import orjson

REQUEST_ID: ContextVar[str | None] = ContextVar("userpool_request_id", default=None)
FORMATS = ("text", "json")
ACCESS_LOGGER = "userpool.access"
# What an access line adds to the record (logger.info(..., extra=...)), in this order.
ACCESS_FIELDS = ("method", "path", "operation", "status", "duration_ms", "client")


def current_request_id() -> str | None:
    return REQUEST_ID.get()


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request it was logged in (None outside one),
    on the thread that logs it: where the context variable is set."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601, milliseconds), level, logger, message,
    request_id inside a request, the access line's fields, and a traceback as `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _utc(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id is not None:
            line["request_id"] = request_id
        for name in ACCESS_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def _utc(created: float) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
    return f"{seconds}.{int(created % 1 * 1000):03d}Z"


def uvicorn_log_config(log_format: str, log_level: str) -> dict[str, Any] | None:
    """uvicorn's `log_config` (each worker process applies it): None keeps uvicorn's own text
    lines; "json" sends uvicorn's lines and ours through one JSON handler on stderr.

    `log_level` applies to the server's own loggers (userpool.*, uvicorn's); every other
    library logs warnings and worse only, since a library's debug lines (botocore's, for one)
    print whole requests, secrets and all."""
    if log_format != "json":
        return None
    level = log_level.upper()
    ours = {"handlers": ["stderr"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,  # userpool.* loggers exist already
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
                "filters": ["request_id"],
            }
        },
        "loggers": {"userpool": ours, "uvicorn": ours},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }


def announce(message: str, log_format: str) -> str:
    """A line the CLI prints before the server logs anything, in the log's format."""
    if log_format != "json":
        return message
    record = logging.LogRecord("userpool", logging.INFO, __file__, 0, message, None, None)
    return JsonFormatter().format(record)
