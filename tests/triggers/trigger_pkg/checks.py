"""A `python:trigger_pkg.checks:verify` handler for tests/test_triggers_local.py: a
VerifyAuthChallengeResponse that takes the answer "42"."""

import os
from typing import Any


def verify(event: dict[str, Any], context: Any) -> dict[str, Any]:
    event["response"] = {
        "answerCorrect": event["request"].get("challengeAnswer") == "42",
        "runtime": "python module",
        "module": __name__,
        "pid": os.getpid(),
        "functionName": context.function_name,
        "awsRequestId": context.aws_request_id,
    }
    return event
