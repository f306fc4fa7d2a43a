"""A long-lived Python process that runs one handler file's (or module's) functions for
userpool, one call at a time, as a Lambda execution environment does.

    python -P python_worker.py file|module <path or module> <requests fd> <responses fd>

Requests arrive as JSON lines on <requests fd>: {"id", "handler", "function", "arn",
"deadlineMs", "event"}. Each gets, on <responses fd>, any number of {"id", "log"} lines (what
the handler printed, in order) and then {"id", "result"} or {"id", "error": {errorType,
errorMessage}}. Both are pipes of their own, not stdin/stdout: whatever the handler writes,
by print() or straight to fd 1 or 2, cannot be taken for a reply. The worker exits when the
requests pipe closes (the server stopped, or died), or when a handler exits the process.

Run as a script by the server's own interpreter; it imports nothing of userpool's."""

from __future__ import annotations

import importlib
import importlib.util
import io
import json
import os
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO, cast

MAX_LOG_LINE = 256 * 1024  # CloudWatch's limit on one log event


class LambdaContext:
    """The `context` Lambda's Python runtime passes, with the parts trigger code reads."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.function_name: str = request["function"]
        self.function_version = "$LATEST"
        self.invoked_function_arn: str = request["arn"]
        self.memory_limit_in_mb = "128"
        self.aws_request_id: str = request["id"]
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "userpool"
        self._deadline_ms: int = request["deadlineMs"]

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


class FunctionError(Exception):
    """A failure reported with Lambda's own error type (Runtime.ImportModuleError, ...)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


class Replies:
    """The responses pipe, and the id of the request being served."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self.current: str | None = None

    def send(self, message: dict[str, Any]) -> None:
        self.write_line(json.dumps(message))

    def write_line(self, text: str) -> None:
        data = (text + "\n").encode()
        while data:
            data = data[os.write(self._fd, data) :]


class Console(io.TextIOBase):
    """sys.stdout and sys.stderr: each complete line is a log message of the current call."""

    def __init__(self, replies: Replies) -> None:
        self._replies = replies
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            self._replies.send({"id": self._replies.current, "log": line[:MAX_LOG_LINE]})
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._replies.send({"id": self._replies.current, "log": self._pending[:MAX_LOG_LINE]})
            self._pending = ""


def load(kind: str, target: str) -> ModuleType:
    try:
        if kind == "module":
            return importlib.import_module(target)
        path = Path(target)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {target}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module  # as Lambda imports it: by its name, siblings beside it
        spec.loader.exec_module(module)
        return module
    except SyntaxError as error:
        message = f"Syntax error in module: {error}"
        raise FunctionError("Runtime.UserCodeSyntaxError", message) from error
    except Exception as error:
        name = target if kind == "module" else Path(target).stem
        message = f"Unable to import module '{name}': {error}"
        raise FunctionError("Runtime.ImportModuleError", message) from error


def main() -> None:
    kind, target, requests_fd, responses_fd = sys.argv[1:5]
    replies = Replies(int(responses_fd))
    sys.path.insert(0, os.getcwd() if kind == "module" else str(Path(target).parent))
    console = Console(replies)
    sys.stdout = sys.stderr = cast(TextIO, console)
    module: ModuleType | None = None
    with os.fdopen(int(requests_fd), "rb") as requests:
        for line in requests:
            request = json.loads(line)
            replies.current = request["id"]
            reply: dict[str, Any]
            try:
                if module is None:  # a failed import is tried again on the next call
                    module = load(kind, target)
                reply = {"id": request["id"], "result": call(module, request)}
            except FunctionError as error:
                reply = failure(request, error.error_type, str(error))
            except Exception as error:  # the function's error; SystemExit ends this process
                reply = failure(request, type(error).__name__, str(error))
            try:
                text = json.dumps(reply, allow_nan=False)
            except (TypeError, ValueError) as error:  # not JSON: Lambda's runtime says so
                message = f"Unable to marshal response: {error}"
                text = json.dumps(failure(request, "Runtime.MarshalError", message))
            console.flush()
            replies.write_line(text)
            replies.current = None


def call(module: ModuleType, request: dict[str, Any]) -> object:
    handler = getattr(module, request["handler"], None)
    if not callable(handler):
        name = module.__name__
        raise FunctionError(
            "Runtime.HandlerNotFound", f"Handler '{request['handler']}' missing on module '{name}'"
        )
    return handler(request["event"], LambdaContext(request))


def failure(request: dict[str, Any], error_type: str, message: str) -> dict[str, Any]:
    return {"id": request["id"], "error": {"errorType": error_type, "errorMessage": message}}


if __name__ == "__main__":
    main()
