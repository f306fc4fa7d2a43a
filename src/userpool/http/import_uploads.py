"""`PUT /_userpool/uploads/{job_id}?X-Amz-...`: a user import job's CSV file, taken at the job's
PreSignedUrl as S3 takes an object at a presigned URL, with S3's XML errors.

The URL works for its job only (its X-Amz-Signature is the job's random token, compared in
constant time), for 15 minutes by the server's clock, while the job is Created. Like S3 it
wants a Content-Length (a chunked body: 501 NotImplemented) of at most Cognito's 100 MB file
size (400 EntityTooLarge, answered before any of the body is read), checks a Content-MD5 if
one is sent, and answers 200 with the body's MD5 as ETag. The body never sits in memory
whole: it is written to the database in pieces of 1 MiB as it arrives (so any node can run
the job), under an id of its own, and becomes the job's file only once complete; a new upload
replaces an earlier one. The server-wide body cap (http/body_limit.py) does not apply here.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import uuid
from collections.abc import AsyncIterator, Callable
from xml.sax.saxutils import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from userpool.domain.import_jobs import (
    MAX_FILE_BYTES,
    UPLOAD_CHUNK_BYTES,
    UPLOAD_PATH,
    ImportJob,
    JobStatus,
)
from userpool.storage.repositories import Store

IDLE_SECONDS = 30.0  # the longest wait for the next piece of a body
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)


def _error(status: int, code: str, message: str, **extra: str) -> Response:
    """An error as S3 writes one."""
    request_id = uuid.uuid4().hex[:16].upper()
    details = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in extra.items())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{escape(message)}</Message>{details}"
        f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
    )
    headers = {"x-amz-request-id": request_id, "x-amz-id-2": request_id}
    return Response(body, status_code=status, media_type="application/xml", headers=headers)


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def routes(store: Store, clock: Callable[[], float]) -> list[Route]:
    def read_job(job_id: str) -> ImportJob | None:
        with store.read() as tx:
            return tx.import_jobs.get(job_id)

    def write_chunk(job: ImportJob, upload_id: str, seq: int, data: bytes) -> None:
        with store.write() as tx:
            tx.import_jobs.add_chunk(job, upload_id, seq, data)

    def complete(job: ImportJob, upload_id: str, size: int) -> bool:
        with store.write() as tx:
            return tx.import_jobs.complete_upload(job.job_id, upload_id, size, clock())

    def discard(job: ImportJob, upload_id: str) -> None:
        with store.write() as tx:
            tx.import_jobs.discard_upload(job.job_id, upload_id)

    async def pieces(request: Request) -> AsyncIterator[bytes]:
        stream = request.stream().__aiter__()
        while True:
            try:
                async with asyncio.timeout(IDLE_SECONDS):
                    piece = await stream.__anext__()
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise _Refused(
                    _error(
                        400,
                        "RequestTimeout",
                        "Your socket connection to the server was "
                        "not read from or written to within the timeout period.",
                    )
                ) from None
            yield piece

    async def store_body(request: Request, job: ImportJob, upload_id: str, length: int) -> str:
        """Write the body to the database as it comes; its MD5 (hex)."""
        digest, buffer, seq, size = hashlib.md5(usedforsecurity=False), bytearray(), 0, 0
        async for piece in pieces(request):
            size += len(piece)
            if size > length:
                break
            digest.update(piece)
            buffer += piece
            while len(buffer) >= UPLOAD_CHUNK_BYTES:
                chunk = bytes(buffer[:UPLOAD_CHUNK_BYTES])
                del buffer[:UPLOAD_CHUNK_BYTES]
                await run_in_threadpool(write_chunk, job, upload_id, seq, chunk)
                seq += 1
        if size != length:
            raise _Refused(
                _error(
                    400,
                    "IncompleteBody",
                    "You did not provide the number of bytes "
                    "specified by the Content-Length HTTP header.",
                )
            )
        if buffer:
            await run_in_threadpool(write_chunk, job, upload_id, seq, bytes(buffer))
        return digest.hexdigest()

    def refusal(request: Request, job: ImportJob | None) -> Response | None:
        """What S3 would answer before reading the body, or None to read it."""
        if request.method != "PUT":
            return _error(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH)
        signature = request.query_params.get("X-Amz-Signature", "")
        if not signature:
            return _error(403, "AccessDenied", "Access Denied")
        if job is None or not hmac.compare_digest(signature.encode(), job.upload_token.encode()):
            return _error(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH)
        if clock() > job.upload_expires:
            return _error(403, "AccessDenied", "Request has expired", **{"X-Amz-Expires": "900"})
        if job.status is not JobStatus.CREATED:
            return _error(403, "AccessDenied", "Access Denied")
        if "chunked" in request.headers.get("transfer-encoding", "").lower():
            return _error(
                501,
                "NotImplemented",
                "A header you provided implies functionality that is not implemented",
                Header="Transfer-Encoding",
            )
        declared = request.headers.get("content-length")
        if declared is None:
            return _error(
                411, "MissingContentLength", "You must provide the Content-Length HTTP header."
            )
        if not declared.isdigit():
            return _error(400, "BadRequest", "An error occurred when parsing the HTTP request.")
        if int(declared) > MAX_FILE_BYTES:
            return _error(
                400,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
                ProposedSize=declared,
                MaxSizeAllowed=str(MAX_FILE_BYTES),
            )
        return None

    async def upload(request: Request) -> Response:
        job = await run_in_threadpool(read_job, request.path_params["job_id"])
        refused = refusal(request, job)
        if refused is not None:
            return refused
        assert job is not None
        upload_id = uuid.uuid4().hex
        length = int(request.headers["content-length"])
        try:
            md5 = await store_body(request, job, upload_id, length)
            sent = request.headers.get("content-md5")
            if sent is not None and sent != base64.b64encode(bytes.fromhex(md5)).decode():
                raise _Refused(
                    _error(
                        400,
                        "BadDigest",
                        "The Content-MD5 you specified did not match what we received.",
                    )
                )
            if not await run_in_threadpool(complete, job, upload_id, length):
                raise _Refused(_error(403, "AccessDenied", "Access Denied"))
        except (_Refused, ClientDisconnect) as stopped:
            await run_in_threadpool(discard, job, upload_id)
            if isinstance(stopped, ClientDisconnect):
                return Response(status_code=400)  # nobody reads it
            return stopped.response
        except Exception:
            await run_in_threadpool(discard, job, upload_id)
            raise
        headers = {"ETag": f'"{md5}"'}
        encryption = request.headers.get("x-amz-server-side-encryption")
        if encryption:
            headers["x-amz-server-side-encryption"] = encryption
        return Response(status_code=200, headers=headers)

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    return [Route(UPLOAD_PATH + "/{job_id}", upload, methods=methods)]
