"""`/_userpool/seed`: a seed file applied by a running server, and its state exported as one,
for `userpool seed FILE --endpoint-url` and `userpool export --endpoint-url`.

    POST /_userpool/seed   {"Document": "<the file's text>", "File": "seed.yaml", "Prune": false}
        -> {"Summary": {"Created": {"pool": 1, ...}, "Updated": {...}, "Deleted": {...},
                        "Unchanged": {...}}}
    GET  /_userpool/seed?IncludeSecrets=true
        -> {"Document": {"Pools": [...]}}

The server applies the file with the same code as `serve --seed` (userpool.seed): judged
whole, then applied in one transaction. A file with mistakes is refused with
`{"__type": "InvalidSeedFileException", "message", "Problems": ["seed.yaml:4: Pools[0].Id:
..."]}` and nothing applied. Admission as the key endpoints': with `--credentials`, a SigV4
signature (service cognito-idp, the server's region); without, loopback clients only, since
an export with secrets holds every client secret and password verifier.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from userpool import seed
from userpool.auth import Runtime
from userpool.domain.errors import CognitoError, InternalErrorException, InvalidParameterException
from userpool.protocol.sigv4 import SignedRequest, SigV4Verifier, header_map
from userpool.services.context import Settings
from userpool.storage.sql_store import SqlStore

log = logging.getLogger("userpool.seed")

ROOT = "/_userpool/seed"
LOCAL_ONLY = "This server has no --credentials: its seed endpoint answers loopback addresses only."
DEFAULT_FILE = "seed"


class AccessDeniedException(CognitoError):
    status = 403


class InvalidSeedFileException(CognitoError):
    """The file has mistakes: `problems`, one line each (file:line: field: what)."""

    def __init__(self, problems: list[str]) -> None:
        count = len(problems)
        super().__init__(f"{count} mistake{'s' if count != 1 else ''}; nothing was applied.")
        self.problems = problems


def routes(
    runtime: Runtime, store: SqlStore, verifier: SigV4Verifier, settings: Settings
) -> list[Route]:
    async def admitted(request: Request) -> bytes:
        body = await request.body()
        signed = SignedRequest(
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            headers=header_map(request.headers.items()),
            body=body,
        )
        if verifier.enforcing:
            verifier.verify(signed, time.time())  # the real time the client signed with
        elif request.client is None or not _is_loopback(request.client.host):
            raise AccessDeniedException(LOCAL_ONLY)
        return body

    async def applying(request: Request) -> Response:
        try:
            params = _params(await admitted(request))
            file = str(params.get("File") or DEFAULT_FILE)
            prune = params.get("Prune") is True
            tally = await run_in_threadpool(_apply, runtime, store, settings, params, file, prune)
        except seed.SeedError as error:
            return _error(InvalidSeedFileException([str(p) for p in error.problems]))
        except CognitoError as error:
            return _error(error)
        except Exception:
            log.exception("applying a seed file failed")
            return _error(InternalErrorException())
        return _json({"Summary": tally.as_json()})

    async def exporting(request: Request) -> Response:
        try:
            await admitted(request)
            secrets = request.query_params.get("IncludeSecrets", "").lower() == "true"
            document = await run_in_threadpool(
                lambda: seed.export(store, runtime, include_secrets=secrets, settings=settings)
            )
        except CognitoError as error:
            return _error(error)
        except Exception:
            log.exception("exporting a seed file failed")
            return _error(InternalErrorException())
        return _json({"Document": document})

    return [
        Route(ROOT, applying, methods=["POST"]),
        Route(ROOT, exporting, methods=["GET"]),
    ]


def _apply(
    runtime: Runtime,
    store: SqlStore,
    settings: Settings,
    params: dict[str, Any],
    file: str,
    prune: bool,
) -> seed.Tally:
    document = params.get("Document")
    if not isinstance(document, str):
        raise InvalidParameterException("Document must be the seed file's text.")
    return seed.apply(store, runtime, seed.load(document, file), prune=prune, settings=settings)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _params(body: bytes) -> dict[str, Any]:
    try:
        params = orjson.loads(body or b"{}")
    except orjson.JSONDecodeError as error:
        raise InvalidParameterException("The request body is not JSON.") from error
    if not isinstance(params, dict):
        raise InvalidParameterException("The request body must be a JSON object.")
    return params


def _json(body: dict[str, Any]) -> Response:
    return Response(orjson.dumps(body), media_type="application/json")


def _error(error: CognitoError) -> Response:
    payload: dict[str, Any] = {"__type": error.type_name}
    if error.message:
        payload["message"] = error.message
    if isinstance(error, InvalidSeedFileException):
        payload["Problems"] = error.problems
    headers = {"x-amzn-ErrorType": error.type_name}
    return Response(
        orjson.dumps(payload), error.status, headers, media_type="application/x-amz-json-1.1"
    )
