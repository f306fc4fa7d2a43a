// CreateAuthChallenge for tests/test_node_custom_auth.py: a sum to work out, different each
// round; the client sees the question, the answer stays private for VerifyAuthChallengeResponse.
import { randomInt } from "node:crypto";

export const handler = async (event) => {
  if (event.request.challengeName !== "CUSTOM_CHALLENGE") {
    throw new Error(`no challenge called ${event.request.challengeName}`);
  }
  const { session } = event.request;
  const round = 1 + session.filter((entry) => entry.challengeName === "CUSTOM_CHALLENGE").length;
  const [a, b] = [randomInt(10, 100), randomInt(10, 100)];
  event.response = {
    publicChallengeParameters: { round: String(round), question: `What is ${a} + ${b}?` },
    privateChallengeParameters: { answer: String(a + b) },
    challengeMetadata: `SUM-${round}`,
  };
  return event;
};
