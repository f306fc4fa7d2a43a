// amazon-cognito-identity-js and remembered devices (tests/test_node_devices.py).
//   node devices_identity_js.mjs --endpoint URL --pool-id ID --client-id ID --username U
//        --password P [--flow USER_PASSWORD_AUTH] [--remember no]
// On a pool that tracks devices (DeviceOnlyRememberedOnUserPrompt and
// ChallengeRequiredOnNewDevice on) with SMS MFA for the user, with one storage kept for the
// whole script as a browser keeps localStorage:
//   1. authenticateUser: the SMS code from the outbox; the library confirms the new device
//      itself (ConfirmDevice) and calls onSuccess with userConfirmationNecessary;
//   2. setDeviceStatusRemembered (unless --remember no), then signOut (local: the device's
//      key and secret stay in storage);
//   3. authenticateUser again: the library names the device and proves it (DEVICE_SRP_AUTH,
//      DEVICE_PASSWORD_VERIFIER); no MFA on a remembered device; refreshSession with it.
//      On a device not remembered the code comes first, and the library then answers
//      DEVICE_SRP_AUTH with the code's Session (the server takes it for the one it led to);
//   4. listDevices, getDevice, forgetDevice (which also drops the key from storage);
//   5. authenticateUser: MFA again, a new device;
//   6. forgetSpecificDevice of that device (the storage keeps its key, as when it is forgotten
//      from another client), signOut, authenticateUser: the library names the gone device,
//      is told "Device does not exist." and (USER_SRP_AUTH) answers again without it.
// Without --flow the library keeps its default flow, USER_SRP_AUTH.

import { claims, describeError, options, run } from "./lib.mjs";
import { sentCode } from "./mfa_lib.mjs";
import { exchanges } from "./devices_lib.mjs";
import identity from "amazon-cognito-identity-js";

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = identity;

const args = options(
  ["endpoint", "pool-id", "client-id", "username", "password"],
  ["flow", "remember"],
);
// --remember no leaves the device confirmed but not remembered: it cannot stand in for MFA,
// and is proved after the code.
const remember = (args.remember ?? "yes") === "yes";

/** The library's storage, kept between sign-ins as localStorage is in a browser (its Node
 * default is a module-level object the script could not look into). */
const items = new Map();
const storage = {
  setItem: (key, value) => items.set(key, String(value)),
  getItem: (key) => (items.has(key) ? items.get(key) : null),
  removeItem: (key) => items.delete(key),
  clear: () => items.clear(),
};

const pool = new CognitoUserPool({
  UserPoolId: args["pool-id"],
  ClientId: args["client-id"],
  endpoint: args.endpoint,
  Storage: storage,
});

/** The device key the library keeps for the user (under the name the sign-in used). */
function storedDeviceKey() {
  const prefix = `CognitoIdentityServiceProvider.${args["client-id"]}.`;
  const found = [...items].filter(([key]) => key.startsWith(prefix) && key.endsWith(".deviceKey"));
  return found.length === 0 ? null : found[0][1];
}

function callback(call) {
  return new Promise((resolve, reject) => call({ onSuccess: resolve, onFailure: reject }));
}

function sessionOf(session) {
  const access = claims(session.getAccessToken().getJwtToken());
  return {
    valid: session.isValid(),
    deviceKeyClaim: access.device_key ?? null,
    accessClaims: access,
    hasRefreshToken: session.getRefreshToken().getToken().length > 0,
  };
}

/** authenticateUser, answering SMS MFA from the outbox; the callbacks seen, the session and
 * what onSuccess was told, or the server's refusal. */
async function signIn() {
  const from = exchanges.length;
  const user = new CognitoUser({ Username: args.username, Pool: pool, Storage: storage });
  if (args.flow !== undefined) user.setAuthenticationFlowType(args.flow);
  const details = new AuthenticationDetails({ Username: args.username, Password: args.password });
  const seen = [];
  const outcome = await new Promise((resolve) => {
    const unexpected = (name) => (...parameters) => {
      seen.push({ callback: name, parameters });
      resolve({ refused: { message: `unexpected callback ${name}` } });
    };
    const callbacks = {
      onSuccess: (session, userConfirmationNecessary) =>
        resolve({ session, userConfirmationNecessary: userConfirmationNecessary ?? null }),
      onFailure: (error) => resolve({ refused: describeError(error) }),
      mfaRequired: async (name, parameters) => {
        seen.push({ callback: "mfaRequired", name });
        user.sendMFACode(await sentCode(args.endpoint, args["pool-id"], args.username), callbacks);
      },
      totpRequired: unexpected("totpRequired"),
      selectMFAType: unexpected("selectMFAType"),
      mfaSetup: unexpected("mfaSetup"),
      newPasswordRequired: unexpected("newPasswordRequired"),
      customChallenge: unexpected("customChallenge"),
    };
    user.authenticateUser(details, callbacks);
  });
  const result = {
    seen,
    mfaAsked: seen.some((entry) => entry.callback === "mfaRequired"),
    exchanges: exchanges.slice(from),
    storedDeviceKey: storedDeviceKey(),
  };
  if (outcome.refused !== undefined) {
    return { user, result: { ...result, refused: outcome.refused } };
  }
  return {
    user,
    session: outcome.session,
    result: {
      ...result,
      userConfirmationNecessary: outcome.userConfirmationNecessary,
      ...sessionOf(outcome.session),
    },
  };
}

function signedIn(attempt, label) {
  if (attempt.session === undefined) {
    throw new Error(`${label}: ${JSON.stringify(attempt.result.refused)}`);
  }
  return attempt;
}

async function refresh(user, session) {
  const from = exchanges.length;
  const refreshed = await new Promise((resolve, reject) =>
    user.refreshSession(session.getRefreshToken(), (error, value) =>
      error ? reject(error) : resolve(value),
    ),
  );
  return { ...sessionOf(refreshed), exchanges: exchanges.slice(from) };
}

await run(async () => {
  const first = signedIn(await signIn(), "first sign-in");
  const remembered = remember
    ? await callback((done) => first.user.setDeviceStatusRemembered(done))
    : null;
  first.user.signOut();
  const keptAfterSignOut = storedDeviceKey();

  const second = await signIn();
  const sofar = { flow: args.flow ?? "default", remember, first: first.result, remembered };
  // With --remember no, DEVICE_SRP_AUTH comes after the MFA code and the library answers it
  // with the code's Session (sendMFACode keeps no new one); should the server refuse that,
  // the refusal is the result.
  if (second.session === undefined) return { ...sofar, keptAfterSignOut, second: second.result };
  const refreshed = await refresh(second.user, second.session);
  const listed = await new Promise((resolve, reject) =>
    second.user.listDevices(60, null, { onSuccess: resolve, onFailure: reject }),
  );
  const device = await callback((done) => second.user.getDevice(done));
  const forgotten = await callback((done) => second.user.forgetDevice(done));
  const keptAfterForget = storedDeviceKey();
  second.user.signOut();

  const third = signedIn(await signIn(), "sign-in after forgetDevice");
  const elsewhere = await callback((done) =>
    third.user.forgetSpecificDevice(third.result.deviceKeyClaim, done),
  );
  const keptAfterElsewhere = storedDeviceKey();
  third.user.signOut();
  const fourth = await signIn();
  fourth.user.signOut();

  return {
    ...sofar,
    keptAfterSignOut,
    second: second.result,
    refreshed,
    listed,
    device,
    forgotten,
    keptAfterForget,
    third: third.result,
    elsewhere,
    keptAfterElsewhere,
    fourth: fourth.result,
  };
});
