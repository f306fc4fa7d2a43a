"""AssociateSoftwareToken, VerifySoftwareToken: registering a user's authenticator app (TOTP).

Called with the user's access token, or during sign-in with the session of an MFA_SETUP
challenge: each call then uses that session up and returns a new one for the next step, and
VerifySoftwareToken's is the one that answers MFA_SETUP (auth/challenges/mfa_setup). A new
secret waits, sealed, beside an authenticator already verified, and replaces it only once a
code from it verifies. Turning TOTP MFA on is SetUserMFAPreference's job (or MFA_SETUP's).
"""

from __future__ import annotations

from dataclasses import dataclass

from userpool.accounts import mfa as factors
from userpool.accounts.mfa import NO_TOKEN, SOFTWARE_TOKEN_MFA
from userpool.accounts.saving import save_user
from userpool.auth import SetupSession, following, open_setup
from userpool.crypto import totp
from userpool.domain.errors import (
    EnableSoftwareTokenMFAException,
    InvalidParameterException,
    NotAuthorizedException,
    SoftwareTokenMFANotFoundException,
)
from userpool.domain.models import User, UserPool
from userpool.services.access import caller, check_access_token
from userpool.services.context import Context, Request, Response
from userpool.services.registry import operation
from userpool.storage.repositories import Transaction

NOT_OFFERED = "Software Token MFA has not been enabled by the userPool."
ONE_OF = "Either AccessToken or Session is required, but not both."


@dataclass(frozen=True)
class Holder:
    """Whose authenticator a call is about: from an access token, or an MFA_SETUP session."""

    pool: UserPool
    sub: str
    setup: SetupSession | None


def _holder(ctx: Context, request: Request) -> Holder:
    access_token, session = request.get("AccessToken"), request.get("Session")
    if access_token and not session:
        checked = check_access_token(ctx, access_token)
        with ctx.store.read() as tx:
            found = caller(tx, checked)
        return Holder(found.pool, found.user.sub, None)
    if session and not access_token:
        return _setup_holder(ctx, session)
    raise InvalidParameterException(ONE_OF)


def _setup_holder(ctx: Context, session: str) -> Holder:
    setup = open_setup(ctx.runtime, session, ctx.clock())
    return Holder(setup.pool, setup.sub, setup)


def _user(tx: Transaction, holder: Holder) -> User:
    """The holder as stored now, inside the transaction that changes them."""
    if holder.setup is not None:
        holder.setup.use(tx)
    user = tx.users.get_by_sub(holder.pool.id, holder.sub)
    if user is None:
        raise NotAuthorizedException("Invalid session for the user.")
    if SOFTWARE_TOKEN_MFA not in factors.pool_factors(holder.pool):
        raise SoftwareTokenMFANotFoundException(NOT_OFFERED)
    return user


def _with_next_session(
    ctx: Context, holder: Holder, response: Response, *, verified: bool = False
) -> Response:
    """`response`, plus the session for the next step of an MFA setup during sign-in."""
    if holder.setup is not None:
        response["Session"] = following(ctx.runtime, holder.setup, ctx.clock(), verified=verified)
    return response


@operation("AssociateSoftwareToken")
def associate_software_token(ctx: Context, request: Request) -> Response:
    holder = _holder(ctx, request)
    secret = totp.new_secret()
    sealer = factors.token_sealer(ctx.runtime.codes_key)
    with ctx.store.write() as tx:
        user = _user(tx, holder)
        mine = factors.read(user)
        mine.pending = factors.seal_secret(sealer, user, secret)
        factors.write(user, mine)
        user.modified = ctx.clock()
        save_user(tx, holder.pool, user)
    return _with_next_session(ctx, holder, {"SecretCode": secret})


@operation("VerifySoftwareToken")
def verify_software_token(ctx: Context, request: Request) -> Response:
    holder = _holder(ctx, request)
    sealer = factors.token_sealer(ctx.runtime.codes_key)
    now = ctx.clock()
    with ctx.store.write() as tx:
        user = _user(tx, holder)
        mine = factors.read(user)
        if mine.pending is None:
            raise SoftwareTokenMFANotFoundException(NO_TOKEN)
        secret = factors.open_secret(sealer, user, mine.pending)
        try:
            step = totp.verify(secret, request["UserCode"], now)
        except totp.TotpMismatch as error:
            raise EnableSoftwareTokenMFAException() from error
        mine.token = {"secret": mine.pending, "last_step": step}
        if request.get("FriendlyDeviceName"):
            mine.token["name"] = request["FriendlyDeviceName"]
        mine.pending = None
        factors.write(user, mine)
        user.modified = now
        save_user(tx, holder.pool, user)
    return _with_next_session(ctx, holder, {"Status": "SUCCESS"}, verified=True)
