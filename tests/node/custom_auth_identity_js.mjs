// amazon-cognito-identity-js through CUSTOM_AUTH (tests/triggers/clients: two questions,
// SRP first when the sign-in starts with SRP_A).
//   node custom_auth_identity_js.mjs --scenario custom --endpoint URL --pool-id ID
//        --client-id ID --username U [--wrong-round N]
//     initiateAuth (AuthFlow CUSTOM_AUTH, USERNAME only), then sendCustomChallengeAnswer for
//     each customChallenge callback; signed in, the session is refreshed once.
//   node custom_auth_identity_js.mjs --scenario srp ... --password P [--wrong-round N]
//     authenticateUser with the flow type CUSTOM_AUTH: the library sends SRP_A with
//     CHALLENGE_NAME SRP_A, answers PASSWORD_VERIFIER itself, then the custom rounds.
// --wrong-round N answers question N wrongly: the result then holds the library's error.

import { describeError, options, run } from "./lib.mjs";
import { answerTo, recordedExchanges, wrongRound } from "./custom_auth_lib.mjs";
import identity from "amazon-cognito-identity-js";

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = identity;

const args = options(
  ["scenario", "endpoint", "pool-id", "client-id", "username"],
  ["password", "wrong-round"],
);
const wrong = wrongRound(args["wrong-round"]);

const pool = new CognitoUserPool({
  UserPoolId: args["pool-id"],
  ClientId: args["client-id"],
  endpoint: args.endpoint,
});

function sessionOf(session) {
  return {
    valid: session.isValid(),
    idToken: session.getIdToken().getJwtToken(),
    idClaims: session.getIdToken().decodePayload(),
    accessToken: session.getAccessToken().getJwtToken(),
    accessClaims: session.getAccessToken().decodePayload(),
    hasRefreshToken: session.getRefreshToken().getToken().length > 0,
  };
}

/** Callbacks as a promise of the next outcome; any callback but these two is a failure. */
function next(resolve, reject) {
  const unexpected = (name) => () => reject(new Error(`unexpected callback ${name}`));
  return {
    onSuccess: (session) => resolve({ done: session }),
    onFailure: reject,
    customChallenge: (parameters) => resolve({ challenge: parameters }),
    newPasswordRequired: unexpected("newPasswordRequired"),
    mfaRequired: unexpected("mfaRequired"),
    totpRequired: unexpected("totpRequired"),
    mfaSetup: unexpected("mfaSetup"),
    selectMFAType: unexpected("selectMFAType"),
  };
}

/** Answer customChallenge callbacks until the library calls onSuccess (or fails). */
async function answerRounds(user, start) {
  const challenges = [];
  try {
    let outcome = await new Promise((resolve, reject) => start(next(resolve, reject)));
    while (outcome.challenge !== undefined) {
      challenges.push(outcome.challenge);
      const answer = answerTo(outcome.challenge, { wrong: challenges.length === wrong });
      outcome = await new Promise((resolve, reject) =>
        user.sendCustomChallengeAnswer(answer, next(resolve, reject)),
      );
    }
    return { challenges, session: outcome.done };
  } catch (error) {
    if (error?.code === undefined) throw error; // not the server's refusal: the script's bug
    return { challenges, refused: describeError(error) };
  }
}

async function signIn(start) {
  const user = new CognitoUser({ Username: args.username, Pool: pool });
  user.setAuthenticationFlowType("CUSTOM_AUTH");
  const details = new AuthenticationDetails({ Username: args.username, Password: args.password });
  const { challenges, session, refused } = await answerRounds(user, (callbacks) =>
    start(user, details, callbacks),
  );
  if (refused !== undefined) return { challenges, refused };
  const refreshed = await new Promise((resolve, reject) =>
    user.refreshSession(session.getRefreshToken(), (error, value) =>
      error ? reject(error) : resolve(value),
    ),
  );
  return {
    challenges,
    session: sessionOf(session),
    refreshed: sessionOf(refreshed),
    flowType: user.getAuthenticationFlowType(),
    cachedUser: pool.getCurrentUser()?.getUsername() ?? null,
  };
}

const scenarios = {
  custom: () => signIn((user, details, callbacks) => user.initiateAuth(details, callbacks)),
  srp: () => {
    if (args.password === undefined) throw new Error("--password is required");
    return signIn((user, details, callbacks) => user.authenticateUser(details, callbacks));
  },
};

await run(async () => {
  const scenario = scenarios[args.scenario];
  if (scenario === undefined) throw new Error(`unknown scenario ${args.scenario}`);
  return { scenario: args.scenario, ...(await scenario()), exchanges: recordedExchanges() };
});
