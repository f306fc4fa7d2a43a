"""The property every fuzzed request is held to: never a 5xx; an error is a 4xx whose `__type`
the model lists for the operation, or one of the errors common to all operations.

The common ones: the AWS API reference's "Common Errors" (the errors common to the API actions
of all AWS services, the list that every Cognito operation's page points to), and the names the
AWS JSON protocol gives the same refusals on the wire, which are what the server sends
(protocol/sigv4.py, protocol/dispatch.py): a body it cannot read (SerializationException), a
target it does not know (UnknownOperationException), a signature it does not accept. An
operation of the model that the server does not implement answers UnsupportedOperationException
once its request has passed validation and SigV4.
"""

from __future__ import annotations

from functools import cache

from tests.fuzz_signing import SIGNATURE_ERRORS
from tests.fuzz_support import Outcome
from userpool.protocol.model import service_model

COMMON_ERRORS = frozenset(
    {
        "AccessDeniedException",
        "IncompleteSignature",
        "InternalFailure",
        "InvalidAction",
        "InvalidClientTokenId",
        "NotAuthorized",
        "OptInRequired",
        "RequestExpired",
        "ServiceUnavailable",
        "ThrottlingException",
        "ValidationError",
    }
)
PROTOCOL_ERRORS = SIGNATURE_ERRORS | {"SerializationException", "UnknownOperationException"}
NOT_IMPLEMENTED = "UnsupportedOperationException"
# Errors the server answers with that the model does not list for the operation, each kept for
# a reason. The model lists UserNotFoundException for AdminForgetDevice and
# AdminUpdateDeviceStatus but not for their twins AdminGetDevice and AdminListDevices, which
# look the user up the same way; the server answers the four alike (tests/test_devices_ops.py),
# and every SDK maps the error by its name for the whole service, not per operation.
MODEL_OMISSIONS = {
    "AdminGetDevice": frozenset({"UserNotFoundException"}),
    "AdminListDevices": frozenset({"UserNotFoundException"}),
}


@cache
def allowed_errors(operation: str, implemented: bool = True) -> frozenset[str]:
    """The `__type`s `operation` may answer with (any name: one the model lacks has none of its
    own)."""
    model = service_model()
    own: set[str] = set()
    if operation in model.operation_names:
        own = {shape.name for shape in model.operation_model(operation).error_shapes}
    if not implemented:
        own.add(NOT_IMPLEMENTED)
    own |= MODEL_OMISSIONS.get(operation, frozenset())
    return frozenset(own) | COMMON_ERRORS | PROTOCOL_ERRORS


def check_answer(outcome: Outcome, allowed: frozenset[str], *, refused: bool = False) -> None:
    """Raise, with the request and the server's log, unless `outcome` is a 2xx (when it need not
    be `refused`) or a 4xx with an allowed `__type`. Raised rather than asserted, so that the
    report is the description alone."""
    status, error = outcome.status, outcome.error_type
    if 400 <= status < 500:
        if not error:
            raise AssertionError(f"an error without __type:\n{outcome.describe()}")
        if error not in allowed:
            raise AssertionError(
                f"{error} is not an error of {outcome.operation} in the model, nor a common "
                f"one:\n{outcome.describe()}"
            )
        return
    if 200 <= status < 300 and not refused:
        return
    if 200 <= status < 300:
        raise AssertionError(f"a request that must be refused was served:\n{outcome.describe()}")
    raise AssertionError(outcome.describe())
