// amazon-cognito-identity-js against the server (CognitoUserPool `endpoint` option).
//   node identity_js.mjs --scenario sign-in --endpoint URL --pool-id ID --client-id ID
//                        --username U --password P [--flow USER_PASSWORD_AUTH]
//   node identity_js.mjs --scenario new-password ... --password TEMPORARY --new-password P
//   node identity_js.mjs --scenario refused ...     (a sign-in that must fail: its error)
// Without --flow the library keeps its default flow, USER_SRP_AUTH.

import { describeError, options, run } from "./lib.mjs";
import identity from "amazon-cognito-identity-js";

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = identity;

const args = options(
  ["scenario", "endpoint", "pool-id", "client-id", "username", "password"],
  ["flow", "new-password"],
);
const flow = args.flow ?? "default";

const pool = new CognitoUserPool({
  UserPoolId: args["pool-id"],
  ClientId: args["client-id"],
  endpoint: args.endpoint,
});

/** authenticateUser's callbacks as one promise: {step, ...} for every outcome but errors. */
function outcomeCallbacks(resolve, reject) {
  return {
    onSuccess: (session) => resolve({ step: "DONE", session }),
    onFailure: reject,
    newPasswordRequired: (userAttributes, requiredAttributes) =>
      resolve({ step: "NEW_PASSWORD_REQUIRED", userAttributes, requiredAttributes }),
    mfaRequired: (name, parameters) => resolve({ step: name, parameters }),
    totpRequired: (name, parameters) => resolve({ step: name, parameters }),
    customChallenge: (parameters) => resolve({ step: "CUSTOM_CHALLENGE", parameters }),
    mfaSetup: (name, parameters) => resolve({ step: name, parameters }),
    selectMFAType: (name, parameters) => resolve({ step: name, parameters }),
  };
}

function authenticate(user, password) {
  if (args.flow !== undefined) user.setAuthenticationFlowType(args.flow);
  const details = new AuthenticationDetails({ Username: args.username, Password: password });
  return new Promise((resolve, reject) =>
    user.authenticateUser(details, outcomeCallbacks(resolve, reject)),
  );
}

function callback(call) {
  return new Promise((resolve, reject) =>
    call((error, value) => (error ? reject(error) : resolve(value))),
  );
}

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

async function signInScenario() {
  const user = new CognitoUser({ Username: args.username, Pool: pool });
  const outcome = await authenticate(user, args.password);
  if (outcome.step !== "DONE") return { outcome };
  const first = sessionOf(outcome.session);
  const attributes = await callback((done) => user.getUserAttributes(done));
  const refreshed = await callback((done) =>
    user.refreshSession(outcome.session.getRefreshToken(), done),
  );
  const stored = await callback((done) => pool.getCurrentUser().getSession(done));
  await new Promise((resolve, reject) =>
    user.globalSignOut({ onSuccess: resolve, onFailure: reject }),
  );
  return {
    step: outcome.step,
    first,
    attributes: Object.fromEntries(attributes.map((a) => [a.getName(), a.getValue()])),
    refreshed: sessionOf(refreshed),
    storedUser: pool.getCurrentUser()?.getUsername() ?? null,
    storedSessionValid: stored.isValid(),
  };
}

async function newPasswordScenario() {
  if (args["new-password"] === undefined) throw new Error("--new-password is required");
  const user = new CognitoUser({ Username: args.username, Pool: pool });
  const challenge = await authenticate(user, args.password);
  if (challenge.step !== "NEW_PASSWORD_REQUIRED") return { challenge };
  const done = await new Promise((resolve, reject) =>
    user.completeNewPasswordChallenge(
      args["new-password"],
      {},
      outcomeCallbacks(resolve, reject),
    ),
  );
  return {
    challenge,
    step: done.step,
    session: done.session === undefined ? null : sessionOf(done.session),
  };
}

async function refusedScenario() {
  const user = new CognitoUser({ Username: args.username, Pool: pool });
  try {
    return { outcome: await authenticate(user, args.password) };
  } catch (error) {
    return { refused: describeError(error) };
  }
}

const scenarios = {
  "sign-in": signInScenario,
  "new-password": newPasswordScenario,
  refused: refusedScenario,
};

await run(async () => {
  const scenario = scenarios[args.scenario];
  if (scenario === undefined) throw new Error(`unknown scenario ${args.scenario}`);
  return { scenario: args.scenario, flow, ...(await scenario()) };
});
