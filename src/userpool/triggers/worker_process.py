"""One worker process: a real `node` or `python` running one handler file's functions, one call
at a time, and the server's end of its pipes.

The worker speaks JSON lines (workers/node_worker.mjs and workers/python_worker.py describe the
protocol) over two pipes of its own, passed by fd number, rather than over stdin and stdout:
Node cannot move its fd 1 aside, so a handler writing to it directly could otherwise forge or
break a reply. What the handler prints through console.log / print() comes back on the reply
pipe tagged with the request it belongs to; anything written straight to fd 1 or 2 (a native
module, a child process) is read from stdout by a thread and logged with the request in
progress. Either way it lands in the server's log under `userpool.triggers.console`, logged in
the context of the call it belongs to: its lines carry the id of the server request that made
the call, as every other line of that request does (http/logs.py).

The worker runs in a session of its own: Ctrl-C in the server's terminal does not reach it (the
server stops it once its own shutdown is done), and stopping it stops whatever it started. It
exits by itself when the request pipe closes, which is also what happens if the server dies."""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson

from userpool.triggers import FunctionRaised, FunctionTimedOut, FunctionUnreachable
from userpool.triggers.events import JSONDict
from userpool.triggers.triggers_file import LocalHandler, Runtime

WORKERS = Path(__file__).parent / "workers"
MAX_MESSAGE = 6 * 1024 * 1024 + 64 * 1024  # Lambda's 6 MB response, and room for the envelope
MAX_LOG_LINE = 256 * 1024  # bytes of one line of raw output; CloudWatch's limit on an event
console = logging.getLogger("userpool.triggers.console")

# Why a worker gave no answer, as Lambda names it; Cognito puts it in its message. A worker that
# breaks the protocol (a handler writing to its reply pipe) is treated as one that ended.
EXITED = "Runtime.ExitError"
TOO_LARGE = "Function.ResponseSizeTooLarge"


def source_stamp(path: Path) -> tuple[int, int] | None:
    """What tells a changed handler file from the one a worker loaded (None: it is gone)."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def _environment() -> dict[str, str]:
    """The server's environment, less its own settings: a handler has no use for the server
    key or the SMTP password."""
    return {name: value for name, value in os.environ.items() if not name.startswith("USERPOOL_")}


class WorkerProcess:
    def __init__(self, handler: LocalHandler, stamp: tuple[int, int] | None) -> None:
        self.stamp = stamp  # of the handler file this worker loads
        # (function, invocation id, the caller's context) being served, or served last: a raw
        # write to fd 1 or 2 is read apart from the replies, on a thread of its own, and may
        # be read after its call has answered.
        self._current: tuple[str, str, contextvars.Context] | None = None
        self._buffer = bytearray()
        self._stopped = False
        requests_read, self._requests = os.pipe()
        self._replies, replies_write = os.pipe()
        try:
            self._process = subprocess.Popen(
                _command(handler, requests_read, replies_write),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=handler.base_dir,
                env=_environment(),
                pass_fds=(requests_read, replies_write),
                start_new_session=True,
            )
        except OSError:
            os.close(self._requests)
            os.close(self._replies)
            raise
        finally:  # the worker's ends: held open here, they would hide the worker's exit
            os.close(requests_read)
            os.close(replies_write)
        os.set_blocking(self._requests, False)
        os.set_blocking(self._replies, False)
        self._name = Path(handler.target).name if not handler.is_module else handler.target
        threading.Thread(
            target=self._log_output, name=f"output of {self._name}", daemon=True
        ).start()

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    @property
    def pid(self) -> int:
        return self._process.pid

    def call(
        self,
        handler: str,
        function: str,
        arn: str,
        request_id: str,
        event: JSONDict,
        deadline: float,
    ) -> object:
        """Run `handler` (an export of the file) with `event` until time.monotonic() reaches
        `deadline`: what it returned, or FunctionRaised (it failed; the worker lives on),
        FunctionTimedOut or FunctionUnreachable (the worker is of no further use)."""
        self._current = (function, request_id, contextvars.copy_context())
        deadline_ms = int((time.time() + deadline - time.monotonic()) * 1000)
        request = {
            "id": request_id,
            "handler": handler,
            "function": function,
            "arn": arn,
            "deadlineMs": deadline_ms,
            "event": event,
        }
        self._send(orjson.dumps(request) + b"\n", deadline)
        while True:
            message = self._receive(deadline)
            if "log" in message:
                _log(function, message.get("id") or request_id, message["log"])
                continue
            if message.get("id") != request_id:  # only a handler writing to our pipe
                raise FunctionUnreachable(EXITED)
            error = message.get("error")
            if error is not None:
                exiting = message.get("exiting") is True
                raise FunctionRaised(_error_message(error), worker_exiting=exiting)
            return message.get("result")

    def kill(self) -> None:
        """End the worker and anything it started, from any thread: a call in progress then
        fails as FunctionUnreachable, and its caller stops the worker."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signal.SIGKILL)  # its own session: pid = group id

    def stop(self, grace: float = 0.0) -> None:
        """End the worker, at once or after `grace` seconds for it to see its request pipe
        close and exit by itself, and close the pipes. By the one thread using the worker."""
        if self._stopped:
            return
        self._stopped = True
        os.close(self._requests)
        if grace > 0:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(grace)
        self.kill()
        self._process.wait()
        os.close(self._replies)

    def _send(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            self._wait(self._requests, select.POLLOUT, deadline)
            try:
                view = view[os.write(self._requests, view) :]
            except BlockingIOError:
                continue
            except OSError:  # EPIPE: it exited
                raise FunctionUnreachable(EXITED) from None

    def _receive(self, deadline: float) -> JSONDict:
        while (end := self._buffer.find(b"\n")) < 0:
            if len(self._buffer) > MAX_MESSAGE:
                raise FunctionUnreachable(TOO_LARGE)
            self._wait(self._replies, select.POLLIN, deadline)
            try:
                chunk = os.read(self._replies, 1 << 16)
            except BlockingIOError:
                continue
            if not chunk:
                raise FunctionUnreachable(EXITED)
            self._buffer += chunk
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        try:
            message = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise FunctionUnreachable(EXITED) from None
        if not isinstance(message, dict):
            raise FunctionUnreachable(EXITED)
        return message

    @staticmethod
    def _wait(fd: int, event: int, deadline: float) -> None:
        poller = select.poll()  # not select(): a busy server's fds may pass 1024
        poller.register(fd, event)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            raise FunctionTimedOut()

    def _log_output(self) -> None:
        """Log what reaches the worker's stdout and stderr until it exits."""
        out = self._process.stdout
        assert out is not None
        with out:
            while line := out.readline(MAX_LOG_LINE):
                text = line.decode(errors="replace").rstrip("\n")
                if self._current is None:
                    _log(self._name, "-", text)
                    continue
                function, request_id, context = self._current
                context.run(_log, function, request_id, text)


def _command(handler: LocalHandler, requests_fd: int, replies_fd: int) -> list[str]:
    fds = [str(requests_fd), str(replies_fd)]
    if handler.runtime is Runtime.NODE:
        return ["node", str(WORKERS / "node_worker.mjs"), handler.target, *fds]
    kind = "module" if handler.is_module else "file"
    # -P: the worker script's own directory is not put on sys.path, the handler's is.
    return [sys.executable, "-P", str(WORKERS / "python_worker.py"), kind, handler.target, *fds]


def _log(function: str, request_id: str, text: object) -> None:
    # WARNING, like the console delivery backend: the server shows nothing quieter by default.
    console.warning("[%s %s] %s", function, request_id, text)


def _error_message(error: object) -> str:
    if isinstance(error, dict) and isinstance(error.get("errorMessage"), str):
        return str(error["errorMessage"])
    return str(error)
