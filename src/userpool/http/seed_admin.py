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

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from userpool import seed
from userpool.auth import Runtime
from userpool.domain.errors import CognitoError, InternalErrorException, InvalidParameterException
from userpool.http.admin_endpoint import admitted, answer, error_answer, params_of
from userpool.protocol.sigv4 import SigV4Verifier
from userpool.services.context import Settings
from userpool.storage.sql_store import SqlStore

log = logging.getLogger("userpool.seed")

ROOT = "/_userpool/seed"
LOCAL_ONLY = "This server has no --credentials: its seed endpoint answers loopback addresses only."
DEFAULT_FILE = "seed"


class InvalidSeedFileException(CognitoError):
    """The file has mistakes: `problems`, one line each (file:line: field: what)."""

    def __init__(self, problems: list[str]) -> None:
        count = len(problems)
        super().__init__(f"{count} mistake{'s' if count != 1 else ''}; nothing was applied.")
        self.problems = problems


def routes(
    runtime: Runtime, store: SqlStore, verifier: SigV4Verifier, settings: Settings
) -> list[Route]:
    async def applying(request: Request) -> Response:
        try:
            params = params_of((await admitted(request, verifier, LOCAL_ONLY)).body)
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
        return answer({"Summary": tally.as_json()})

    async def exporting(request: Request) -> Response:
        try:
            await admitted(request, verifier, LOCAL_ONLY)
            secrets = request.query_params.get("IncludeSecrets", "").lower() == "true"
            document = await run_in_threadpool(
                lambda: seed.export(store, runtime, include_secrets=secrets, settings=settings)
            )
        except CognitoError as error:
            return _error(error)
        except Exception:
            log.exception("exporting a seed file failed")
            return _error(InternalErrorException())
        return answer({"Document": document})

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


def _error(error: CognitoError) -> Response:
    if isinstance(error, InvalidSeedFileException):
        return error_answer(error, Problems=error.problems)
    return error_answer(error)
