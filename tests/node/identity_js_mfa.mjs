// amazon-cognito-identity-js and second factors.
//   node identity_js_mfa.mjs --scenario sign-in --endpoint URL --pool-id ID --client-id ID
//        --username U --password P [--flow USER_PASSWORD_AUTH] [--secret TOTP] [--choose MFA]
//     authenticateUser, answering each callback as a user would: totpRequired with a code from
//     --secret (sendMFACode(code, callbacks, 'SOFTWARE_TOKEN_MFA')), mfaRequired with the SMS
//     code from the outbox (sendMFACode), selectMFAType with --choose, mfaSetup by registering
//     an authenticator (associateSoftwareToken, verifySoftwareToken with the session).
//   node identity_js_mfa.mjs --scenario register-totp ...
//     signed in: associateSoftwareToken, verifySoftwareToken, setUserMfaPreference(TOTP
//     preferred), getUserData; then signs in again through totpRequired.
// Without --flow the library keeps its default flow, USER_SRP_AUTH.

import { options, run } from "./lib.mjs";
import { awayFromStepEdge, sentCode, totp } from "./mfa_lib.mjs";
import identity from "amazon-cognito-identity-js";

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = identity;

const args = options(
  ["scenario", "endpoint", "pool-id", "client-id", "username", "password"],
  ["flow", "secret", "choose"],
);

const pool = new CognitoUserPool({
  UserPoolId: args["pool-id"],
  ClientId: args["client-id"],
  endpoint: args.endpoint,
});

function callback(call) {
  return new Promise((resolve, reject) =>
    call((error, value) => (error ? reject(error) : resolve(value))),
  );
}

/** Sign in, answering every challenge; the callbacks seen in order, and the session. */
function signIn(secret, totpSteps = 0) {
  const user = new CognitoUser({ Username: args.username, Pool: pool });
  if (args.flow !== undefined) user.setAuthenticationFlowType(args.flow);
  const details = new AuthenticationDetails({ Username: args.username, Password: args.password });
  const seen = [];
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (session) => resolve({ seen, user, session, secret }),
      onFailure: reject,
      totpRequired: (name, parameters) => {
        seen.push({ callback: "totpRequired", name, parameters });
        user.sendMFACode(totp(secret, totpSteps), callbacks, "SOFTWARE_TOKEN_MFA");
      },
      mfaRequired: async (name, parameters) => {
        seen.push({ callback: "mfaRequired", name, parameters });
        const code = await sentCode(args.endpoint, args["pool-id"], args.username);
        user.sendMFACode(code, callbacks);
      },
      selectMFAType: (name, parameters) => {
        seen.push({ callback: "selectMFAType", name, parameters });
        user.sendMFASelectionAnswer(args.choose, callbacks);
      },
      mfaSetup: (name, parameters) => {
        seen.push({ callback: "mfaSetup", name, parameters });
        user.associateSoftwareToken({
          onFailure: reject,
          associateSecretCode: async (secretCode) => {
            secret = secretCode;
            await awayFromStepEdge();
            user.verifySoftwareToken(totp(secretCode, -1), "node phone", callbacks);
          },
        });
      },
    };
    user.authenticateUser(details, callbacks);
  });
}

function summary({ seen, session, secret }) {
  return {
    seen,
    valid: session.isValid(),
    accessClaims: session.getAccessToken().decodePayload(),
    hasRefreshToken: session.getRefreshToken().getToken().length > 0,
    secretLength: secret?.length ?? null,
  };
}

async function registerTotp() {
  const { user } = await signIn(undefined);
  const secret = await new Promise((resolve, reject) =>
    user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }),
  );
  await awayFromStepEdge();
  const verified = await new Promise((resolve, reject) =>
    user.verifySoftwareToken(totp(secret, -1), "node phone", {
      onSuccess: resolve,
      onFailure: reject,
    }),
  );
  const preference = await callback((done) =>
    user.setUserMfaPreference(null, { PreferredMfa: true, Enabled: true }, done),
  );
  const data = await callback((done) => user.getUserData(done, { bypassCache: true }));
  const again = await signIn(secret);
  return {
    verified,
    preference,
    mfaSettings: { list: data.UserMFASettingList, preferred: data.PreferredMfaSetting },
    again: summary(again),
  };
}

const scenarios = {
  "sign-in": async () => summary(await signIn(args.secret)),
  "register-totp": registerTotp,
};

await run(async () => {
  const scenario = scenarios[args.scenario];
  if (scenario === undefined) throw new Error(`unknown scenario ${args.scenario}`);
  return { scenario: args.scenario, flow: args.flow ?? "default", ...(await scenario()) };
});
