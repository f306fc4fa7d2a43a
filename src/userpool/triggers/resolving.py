"""Where a pool's function runs, decided per call from the ARN (or name) in its LambdaConfig:

1. a Python callable registered in an `InProcessInvoker`, if one is given: registering one is
   an explicit act of the program that builds the server (a test, an app embedding it), the
   most specific thing anyone can say about a function. `userpool serve` has no way to register
   one, so the server it runs has none;
2. a handler on this machine, if the `--triggers` file maps the function;
3. the Lambda Invoke API: `--lambda-endpoint-url` if given, else real AWS Lambda.

The answer is not remembered: the file's map is fixed, and the rest is a dictionary lookup."""

from __future__ import annotations

from userpool.triggers.events import JSONDict
from userpool.triggers.in_process import InProcessInvoker
from userpool.triggers.lambda_api import LambdaInvoker
from userpool.triggers.local import LocalInvoker


class ResolvingInvoker:
    def __init__(
        self,
        local: LocalInvoker | None,
        remote: LambdaInvoker,
        in_process: InProcessInvoker | None = None,
    ) -> None:
        self._in_process = in_process
        self._local = local
        self._remote = remote

    def invoke(self, function: str, event: JSONDict, *, timeout: float) -> object:
        if self._in_process is not None and self._in_process.handles(function):
            return self._in_process.invoke(function, event, timeout=timeout)
        if self._local is not None and self._local.handles(function):
            return self._local.invoke(function, event, timeout=timeout)
        return self._remote.invoke(function, event, timeout=timeout)

    def close(self) -> None:
        """Stop the local handlers' worker processes (the server is stopping)."""
        if self._local is not None:
            self._local.close()
