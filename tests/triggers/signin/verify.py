"""VerifyAuthChallengeResponse: the answer is right when it is the private `answer`."""

from typing import Any

from recording import record


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    record(event)
    request = event["request"]
    expected = request["privateChallengeParameters"].get("answer")
    event["response"]["answerCorrect"] = request["challengeAnswer"] == expected
    return event
