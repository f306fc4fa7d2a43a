// DefineAuthChallenge: SRP first when the sign-in started with SRP_A, then custom challenges
// until two right answers in a row (tokens) or three wrong ones (failure). modes.define:
// "fail" fails at once, "throw" throws, "malformed" names a challenge Cognito has not.
import { modes, record } from "./recording.mjs";

export const handler = async (event) => {
  record(event);
  const mode = modes(event).define;
  if (mode === "throw") throw new Error("define is broken");
  const response = event.response;
  const session = event.request.session;
  const last = session[session.length - 1];
  const results = session
    .filter((entry) => entry.challengeName === "CUSTOM_CHALLENGE")
    .map((entry) => entry.challengeResult);
  if (mode === "malformed") {
    response.challengeName = "NOT_A_CHALLENGE";
  } else if (mode === "fail" || results.filter((result) => !result).length >= 3) {
    Object.assign(response, { issueTokens: false, failAuthentication: true });
  } else if (last?.challengeName === "SRP_A") {
    Object.assign(response, { challengeName: "PASSWORD_VERIFIER", issueTokens: false });
  } else if (last?.challengeName === "CUSTOM_CHALLENGE" && results.slice(-2).join() === "true,true") {
    Object.assign(response, { issueTokens: true, failAuthentication: false });
  } else {
    Object.assign(response, {
      challengeName: "CUSTOM_CHALLENGE",
      issueTokens: false,
      failAuthentication: false,
    });
  }
  return event;
};
