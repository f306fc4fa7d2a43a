"""PreAuthentication. modes.pre: "throw" denies the sign-in, "malformed" returns nothing,
"wait" holds the call until the file named by `release` exists (up to 4 s, then it fails)."""

import os
import time
from typing import Any

from recording import modes, record

WAIT_SECONDS = 4.0


def handler(event: dict[str, Any], context: Any) -> Any:
    record(event)
    chosen = modes(event)
    mode = chosen.get("pre")
    if mode == "throw":
        raise ValueError(f"{event['userName']} may not sign in today")
    if mode == "malformed":
        return None
    if mode == "wait":
        deadline = time.monotonic() + WAIT_SECONDS
        while not os.path.exists(chosen["release"]):
            if time.monotonic() > deadline:
                raise TimeoutError("never released")
            time.sleep(0.02)
    return event
