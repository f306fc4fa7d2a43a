"""A Python handler file for tests/test_triggers_local.py. What a test wants of it comes in the
event's request.clientMetadata.mode; without one it answers with what it saw."""

import os
import sys
import time
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    mode = (event["request"].get("clientMetadata") or {}).get("mode")
    if mode == "throw":
        raise ValueError(f"no entry for {event['userName']}")
    if mode == "exit":
        os._exit(3)
    if mode == "hang":
        while True:
            pass
    if mode == "slow":
        time.sleep(0.3)
    if mode == "log":
        print("hello from", context.function_name)
        print("a warning on stderr", file=sys.stderr)
        sys.stdout.write("a line without its end")
        os.write(1, b"straight to fd 1\n")
    event["response"] = {
        "runtime": "python file",
        "pid": os.getpid(),
        "user": event["userName"],
        "functionName": context.function_name,
        "invokedFunctionArn": context.invoked_function_arn,
        "awsRequestId": context.aws_request_id,
        "remainingMillis": context.get_remaining_time_in_millis(),
    }
    return event
