"""What the account flows that send codes share: which account a client-side call means,
where a code goes and how Cognito shows that (masked `CodeDeliveryDetails`), sending only
once the state the code belongs to is committed, and redeeming a code so that a wrong guess
is counted even though the call fails.

Sending comes after the commit, as on Cognito (AdminCreateUser and SignUp keep the user
when delivery fails and answer `CodeDeliveryFailureException`): the stored code or user is
never half-written, and the caller can ask again (ResendConfirmationCode, ForgotPassword,
AdminCreateUser with RESEND).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from userpool.accounts import codes, messages
from userpool.accounts.attributes import has_valid_format
from userpool.accounts.custom_message import customized
from userpool.accounts.lookup import find_user, stand_in_seed
from userpool.delivery import deliver_or_fail, mask
from userpool.domain.client_rules import hides_user_existence
from userpool.domain.errors import (
    CodeMismatchException,
    CognitoError,
    NotAuthorizedException,
    UserNotFoundException,
)
from userpool.domain.messages import Medium, Message, Purpose
from userpool.domain.models import AppClient, User, UserPool, UserStatus
from userpool.services.context import Context, Request
from userpool.storage.repositories import Transaction

ATTRIBUTES = {Medium.EMAIL: "email", Medium.SMS: "phone_number"}
MEDIUMS = {attribute: medium for medium, attribute in ATTRIBUTES.items()}
UNKNOWN_USER = "Username/client id combination not found."
STAND_IN_RECORDS = 1024
VERIFICATION_MISMATCH = "Invalid verification code provided, please try again."

Details = dict[str, str]


@dataclass(frozen=True)
class Outgoing:
    """A message to send once its state is committed, with the pool and user it is about:
    what the pool's CustomMessage function is shown."""

    message: Message
    pool: UserPool
    user: User


def issue_code(
    ctx: Context,
    tx: Transaction,
    pool: UserPool,
    user: User,
    medium: Medium,
    purpose: Purpose,
    validity: float,
) -> Outgoing:
    """A fresh code for `purpose`, stored in `tx`, in the pool's verification message; send
    it once `tx` has committed."""
    code = codes.issue(tx, ctx.runtime.codes_key, user, purpose.key, ctx.clock(), validity)
    return Outgoing(messages.verification(pool, user, medium, purpose, code), pool, user)


def send(ctx: Context, outgoing: Outgoing, request: Request, *, rehearsal: bool = False) -> Details:
    """Deliver the message, as the pool's CustomMessage function words it (given the
    `request`'s ClientId and ClientMetadata), and describe where it went; call only after
    committing. A stand-in's message (see `stand_in_code`) is only rehearsed, and no
    function is shown it: there is no user to show."""
    message = outgoing.message
    if not rehearsal:
        metadata = request.get("ClientMetadata") or {}
        message = customized(
            ctx.runtime.triggers,
            outgoing.pool,
            outgoing.user,
            message,
            request.get("ClientId"),
            metadata,
        )
    deliver_or_fail(ctx.runtime.delivery, message, rehearsal=rehearsal)
    return {
        "Destination": mask(message.medium, message.destination),
        "DeliveryMedium": message.medium.value,
        "AttributeName": ATTRIBUTES[message.medium],
    }


def account(tx: Transaction, pool: UserPool, client: AppClient, name: str) -> User | None:
    """The enabled user `name` means; None where the client hides that there is none
    (PreventUserExistenceErrors=ENABLED: unknown and disabled users alike)."""
    user = find_user(tx, pool, name)
    if user is not None and user.enabled:
        return user
    if hides_user_existence(client.settings):
        return None
    if user is None:
        raise UserNotFoundException(UNKNOWN_USER)
    raise NotAuthorizedException("User is disabled.")


def redeem(
    ctx: Context, tx: Transaction, user: User, purpose: str, code: str
) -> CognitoError | None:
    """Use the code up, or give the error to raise once `tx` has committed (the account
    flows word a wrong code their own way)."""
    failure = codes.redeem(tx, ctx.runtime.codes_key, user, purpose, code, ctx.clock())
    if isinstance(failure, CodeMismatchException):
        return CodeMismatchException(VERIFICATION_MISMATCH)
    return failure


def stand_in_code(
    ctx: Context,
    tx: Transaction,
    pool: UserPool,
    name: str,
    preferred: Sequence[str],
    purpose: Purpose,
    validity: float,
) -> Outgoing:
    """For a name that is hidden (no such user, where the client does not say so): a code
    issued and stored in `tx` as for a user, in a message to a plausible destination that
    stays the same for the name; `send` it with `rehearsal=True`. The request then does
    what a real one does short of delivering (the same write, the same routing read), so
    its time does not tell. The code is kept on one of a bounded set of decoy records, so
    unknown names cannot fill the store, and no account can use it."""
    medium, destination = _stand_in_destination(ctx, pool, name, preferred)
    seed = stand_in_seed(ctx.runtime.simulation_key, pool, name)
    stand_in = User(
        sub=f"stand-in:{int(seed[:8], 16) % STAND_IN_RECORDS}",
        pool_id=pool.id,
        username=name,
        status=UserStatus.UNCONFIRMED,
        enabled=True,
        created=0.0,
        modified=0.0,
        attributes={ATTRIBUTES[medium]: destination},
    )
    return issue_code(ctx, tx, pool, stand_in, medium, purpose, validity)


def _stand_in_destination(
    ctx: Context, pool: UserPool, name: str, preferred: Sequence[str]
) -> tuple[Medium, str]:
    """The medium the name looks like, else the pool's first `preferred` attribute; a
    destination derived from the name, so that asking twice gives the same answer."""
    shaped = [attribute for attribute in ATTRIBUTES.values() if has_valid_format(attribute, name)]
    attribute = (shaped or list(preferred) or ["email"])[0]
    medium = MEDIUMS[attribute]
    digest = hmac.new(
        ctx.runtime.simulation_key, f"{pool.id}\x00{name}".encode(), hashlib.sha256
    ).digest()
    if shaped:
        destination = name
    elif medium is Medium.EMAIL:
        destination = f"{_letter(digest[0])}@{_letter(digest[1])}.com"
    else:
        destination = "+1" + "".join(str(byte % 10) for byte in digest[:10])
    return medium, destination


def _letter(byte: int) -> str:
    return chr(ord("a") + byte % 26)
