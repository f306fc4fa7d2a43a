"""JSON over HTTP with the standard library: the plugin needs nothing the server does not."""

from __future__ import annotations

import json
from typing import Any


class DevEndpointError(RuntimeError):
    """A development endpoint answered with an error, or not at all."""


def call(method: str, url: str, body: Any = None, timeout: float = 10) -> Any:
    """`method url` with `body` as JSON (if any); the answer's JSON, or None when it has none."""
    import urllib.error  # here, not above: the plugin is imported by every pytest run
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if data is not None else {}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")
        hint = " (is the server running with --dev-endpoints?)" if error.code == 404 else ""
        raise DevEndpointError(f"{method} {url}: HTTP {error.code} {detail}{hint}") from None
    except (urllib.error.URLError, OSError) as error:
        raise DevEndpointError(f"{method} {url}: {error}") from None
    return json.loads(text) if text else None


def answers(url: str, timeout: float = 1) -> bool:
    """Whether GET `url` answers 200 now."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
