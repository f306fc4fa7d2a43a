"""The Python twin of account.mjs: one Lambda trigger function for every account-flow trigger,
for tests/test_triggers_account.py and tests/test_triggers_messages.py. It appends each event
it is given, as it came, as one JSON line to the file $ACCOUNT_TRIGGER_RECORD, then answers as
the words of request.clientMetadata.script (comma-separated) tell it; without any, as a
function that lets everything through (and words every message its own way)."""

import json
import os
from typing import Any

RUNTIME = "python"


def handler(event: dict[str, Any], context: Any) -> Any:
    with open(os.environ["ACCOUNT_TRIGGER_RECORD"], "a", encoding="utf-8") as record:
        record.write(json.dumps({"runtime": RUNTIME, "event": event}) + "\n")
    script = set(((event["request"].get("clientMetadata") or {}).get("script") or "").split(","))
    source: str = event["triggerSource"]
    response = event["response"]
    if source.startswith("PreSignUp_"):
        if "refuse" in script:
            raise PermissionError("sign-ups are closed")
        if "nothing" in script:
            return None
        if "garbled" in script:
            return {**event, "response": "yes"}
        response["autoConfirmUser"] = "confirm" in script
        response["autoVerifyEmail"] = "verify-email" in script
        response["autoVerifyPhone"] = "verify-phone" in script
    elif source.startswith("PostConfirmation_"):
        if "fail" in script:
            raise RuntimeError("the welcome mail bounced")
    elif source == "UserMigration_ForgotPassword":
        if "refuse" in script:
            raise ConnectionError("the old directory is down")
        # The old directory knows the names that start with "legacy-".
        if event["userName"].startswith("legacy-"):
            response["userAttributes"] = {
                "email": f"{event['userName']}@legacy.example.com",
                "email_verified": "true",
            }
    elif source.startswith("CustomMessage_"):
        if "silent" in script:
            return event
        request = event["request"]
        code = "(no code)" if "lose-code" in script else request["codeParameter"]
        who = request["usernameParameter"] or event["userName"]
        response["smsMessage"] = f"{source} SMS from {RUNTIME}: {code} for {who}"
        response["emailSubject"] = f"{source} subject from {RUNTIME}"
        response["emailMessage"] = f"<p>{source} email from {RUNTIME}: {code} for {who}</p>"
    return event
