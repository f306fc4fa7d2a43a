"""A call to one of a running server's own endpoints (`/_userpool/...`), signed with the AWS
credentials of the environment (`AWS_ACCESS_KEY_ID`, `~/.aws`, ...) for the server's region,
as the AWS CLI signs the API's admin operations; a server without --credentials takes it
unsigned from a loopback address."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

import orjson
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.session import Session

TIMEOUT_SECONDS = 120


class Refused(Exception):
    """The server answered with an error: its `{"__type", "message", ...}` payload."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = payload
        message = payload.get("message", "")
        super().__init__(f"{payload.get('__type', 'Error')}: {message}".rstrip(": "))


class Unreachable(Exception):
    """No answer, or one that is not a userpool server's."""


def call(
    endpoint: str, region: str, method: str, path: str, query: dict[str, str], body: Any
) -> dict[str, Any]:
    url = endpoint.rstrip("/") + path + (f"?{urlencode(query)}" if query else "")
    data = orjson.dumps(body) if body is not None else b""
    request = AWSRequest(method, url, data=data, headers={"Content-Type": "application/json"})
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")  # no instance role here
    credentials = Session().get_credentials()
    if credentials is not None:
        SigV4Auth(credentials, "cognito-idp", region).add_auth(request)
    prepared = request.prepare()
    outgoing = urllib.request.Request(
        url, data=data or None, headers=dict(prepared.headers.items()), method=method
    )
    try:
        with urllib.request.urlopen(outgoing, timeout=TIMEOUT_SECONDS) as response:
            answer: dict[str, Any] = orjson.loads(response.read())
            return answer
    except urllib.error.HTTPError as error:
        raise _refusal(error) from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise Unreachable(f"cannot reach {endpoint}: {reason}") from error


def _refusal(error: urllib.error.HTTPError) -> Exception:
    try:
        payload = orjson.loads(error.read())
        if isinstance(payload, dict) and "__type" in payload:
            return Refused(payload)
    except orjson.JSONDecodeError:
        pass
    return Unreachable(f"the server answered HTTP {error.code} (is {error.url} a userpool server?)")
