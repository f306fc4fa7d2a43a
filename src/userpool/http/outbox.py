"""`GET /_userpool/outbox?pool=&user=&after=`: the stored messages, codes included, for tests
and local development. Mounted only with `--dev-endpoints`."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from userpool.delivery.outbox import PAGE, as_json
from userpool.domain.messages import OutboxEntry
from userpool.storage.repositories import Store


def routes(store: Store) -> list[Route]:
    def entries(pool_id: str | None, username: str | None, after: int) -> list[OutboxEntry]:
        with store.read() as tx:
            return tx.outbox.list(pool_id, username, after, PAGE)

    async def outbox(request: Request) -> Response:
        query = request.query_params
        try:
            after = int(query.get("after") or 0)
        except ValueError:
            return JSONResponse({"message": "after must be a message id"}, status_code=400)
        found = await run_in_threadpool(entries, query.get("pool"), query.get("user"), after)
        return JSONResponse({"messages": [as_json(entry) for entry in found]})

    return [Route("/_userpool/outbox", outbox, methods=["GET"])]
