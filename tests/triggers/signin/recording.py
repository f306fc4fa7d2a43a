"""What the Python handlers here share (as recording.mjs does for the Node ones): each appends
the event it received, as one JSON line, to the file $SIGNIN_TRIGGER_LOG names, and does what
the test asks of it: `modes` are the user's custom:modes attribute ("post=throw") overlaid
with the call's validationData and clientMetadata."""

import json
import os
from typing import Any


def record(event: dict[str, Any]) -> None:
    log = os.environ.get("SIGNIN_TRIGGER_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(json.dumps(event) + "\n")


def modes(event: dict[str, Any]) -> dict[str, str]:
    request = event.get("request") or {}
    chosen: dict[str, str] = {}
    for pair in ((request.get("userAttributes") or {}).get("custom:modes") or "").split(","):
        key, _, value = pair.partition("=")
        if key and value:
            chosen[key] = value
    chosen.update(request.get("validationData") or {})
    chosen.update(request.get("clientMetadata") or {})
    return chosen
