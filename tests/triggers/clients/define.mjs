// DefineAuthChallenge for tests/test_node_custom_auth.py: the password by SRP first when the
// sign-in started with SRP_A, then two custom questions; tokens once both are answered right,
// and the sign-in fails at the first wrong answer. Each call logs what it saw and decided
// (the server's log: `[define <request id>] DEFINE {...}`).
export const ROUNDS = 2;

export const handler = async (event) => {
  const { session } = event.request;
  const last = session.at(-1);
  const asked = session.filter((entry) => entry.challengeName === "CUSTOM_CHALLENGE").length;
  const response = { challengeName: undefined, issueTokens: false, failAuthentication: false };
  if (last === undefined) {
    response.challengeName = "CUSTOM_CHALLENGE";
  } else if (last.challengeName === "SRP_A") {
    response.challengeName = "PASSWORD_VERIFIER";
  } else if (last.challengeResult !== true || event.request.userNotFound) {
    response.failAuthentication = true;
  } else if (asked >= ROUNDS) {
    response.issueTokens = true;
  } else {
    response.challengeName = "CUSTOM_CHALLENGE";
  }
  event.response = response;
  // One line in the server's log per call: what this function saw and decided.
  const seen = session.map((entry) => [
    entry.challengeName,
    entry.challengeResult,
    entry.challengeMetadata ?? null,
  ]);
  console.log(`DEFINE ${JSON.stringify({ user: event.userName, session: seen, response })}`);
  return event;
};
