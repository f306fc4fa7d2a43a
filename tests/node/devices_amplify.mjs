// Amplify v6 (aws-amplify/auth) and remembered devices (tests/test_node_devices.py).
//   node devices_amplify.mjs --endpoint URL --pool-id ID --client-id ID --username U
//        --password P [--flow USER_PASSWORD_AUTH] [--remember no]
// On a pool that tracks devices (ChallengeRequiredOnNewDevice and
// DeviceOnlyRememberedOnUserPrompt on) with SMS MFA for the user, with Amplify's token storage
// a Map kept for the whole script (as a browser keeps localStorage), so the script can show
// the device key Amplify keeps:
//   1. signIn, confirmSignIn with the SMS code from the outbox; Amplify confirms the new
//      device itself (ConfirmDevice, after the tokens);
//   2. rememberDevice() (unless --remember no), signOut() (not global: it revokes the refresh
//      token and clears the tokens, and keeps the device metadata);
//   3. signIn: Amplify proves the device (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER), without
//      MFA if it is remembered, after the code if not; fetchAuthSession({forceRefresh: true})
//      refreshes with it;
//   4. fetchDevices(), forgetDevice() (which drops the device metadata too), signOut();
//   5. signIn: MFA again, a new device;
//   6. that device forgotten by a plain ForgetDevice request (as from another client: Amplify
//      keeps its key), signOut, signIn: Amplify names the gone device, is told "Device does
//      not exist.", forgets it and signs in again (MFA, a new device).
// Without --flow, signIn uses its default, USER_SRP_AUTH.

import { claims, options, run } from "./lib.mjs";
import { sentCode } from "./mfa_lib.mjs";
import { exchanges } from "./devices_lib.mjs";
import { Amplify } from "aws-amplify";
import {
  confirmSignIn,
  fetchAuthSession,
  fetchDevices,
  forgetDevice,
  rememberDevice,
  signIn,
  signOut,
} from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";

const args = options(
  ["endpoint", "pool-id", "client-id", "username", "password"],
  ["flow", "remember"],
);
// --remember no leaves the device confirmed but not remembered: it cannot stand in for MFA,
// and is proved after the code.
const remember = (args.remember ?? "yes") === "yes";

// Amplify names a new device with getDeviceName(), which reads `navigator`, a browser global
// that Node has only from version 21; without it ConfirmDevice is never sent (Amplify swallows
// the ReferenceError with any other ConfirmDevice failure and signs in without a device).
if (globalThis.navigator === undefined) {
  globalThis.navigator = { userAgent: `Node.js/${process.version} (userpool tests)` };
}

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: args["pool-id"],
      userPoolClientId: args["client-id"],
      userPoolEndpoint: args.endpoint,
    },
  },
});

// Amplify's documented way to choose where its tokens and device metadata live.
const items = new Map();
cognitoUserPoolsTokenProvider.setKeyValueStorage({
  setItem: async (key, value) => void items.set(key, value),
  getItem: async (key) => (items.has(key) ? items.get(key) : null),
  removeItem: async (key) => void items.delete(key),
  clear: async () => items.clear(),
});

/** The device key Amplify keeps (under the name the sign-in used), or null. */
function storedDeviceKey() {
  const found = [...items].filter(([key]) => key.endsWith(".deviceKey"));
  return found.length === 0 ? null : found[0][1];
}

async function accessClaims(options) {
  const session = await fetchAuthSession(options);
  const token = session.tokens?.accessToken?.toString();
  return token === undefined ? null : claims(token);
}

/** signIn, then confirmSignIn with the SMS code for each code step; what happened. */
async function signInThroughSteps() {
  const from = exchanges.length;
  const signInOptions = args.flow === undefined ? undefined : { authFlowType: args.flow };
  let output = await signIn({
    username: args.username,
    password: args.password,
    options: signInOptions,
  });
  const steps = [];
  while (!output.isSignedIn && steps.length < 4) {
    const step = output.nextStep.signInStep;
    steps.push(step);
    if (step !== "CONFIRM_SIGN_IN_WITH_SMS_CODE") throw new Error(`no answer for ${step}`);
    const code = await sentCode(args.endpoint, args["pool-id"], args.username);
    output = await confirmSignIn({ challengeResponse: code });
  }
  const access = await accessClaims();
  return {
    steps,
    mfaAsked: steps.length > 0,
    isSignedIn: output.isSignedIn,
    exchanges: exchanges.slice(from),
    storedDeviceKey: storedDeviceKey(),
    deviceKeyClaim: access?.device_key ?? null,
    accessClaims: access,
  };
}

async function refresh() {
  const from = exchanges.length;
  const access = await accessClaims({ forceRefresh: true });
  return {
    deviceKeyClaim: access?.device_key ?? null,
    accessClaims: access,
    exchanges: exchanges.slice(from),
  };
}

/** ForgetDevice sent as any other client would, so Amplify's stored key is left behind. */
async function forgetElsewhere(deviceKey) {
  const session = await fetchAuthSession();
  const response = await fetch(args.endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "AWSCognitoIdentityProviderService.ForgetDevice",
    },
    body: JSON.stringify({
      AccessToken: session.tokens.accessToken.toString(),
      DeviceKey: deviceKey,
    }),
  });
  if (!response.ok) throw new Error(`ForgetDevice: HTTP ${response.status}`);
  return response.status;
}

/** fetchDevices' output as JSON (its dates as epoch seconds, as the wire has them). */
function devicesOf(devices) {
  const seconds = (date) => (date === undefined ? null : date.getTime() / 1000);
  return devices.map((device) => ({
    id: device.id,
    name: device.name ?? null,
    attributes: device.attributes,
    createDate: seconds(device.createDate),
    lastModifiedDate: seconds(device.lastModifiedDate),
    lastAuthenticatedDate: seconds(device.lastAuthenticatedDate),
  }));
}

await run(async () => {
  const first = await signInThroughSteps();
  if (remember) await rememberDevice();
  await signOut();
  const keptAfterSignOut = storedDeviceKey();

  const second = await signInThroughSteps();
  const refreshed = await refresh();
  const listed = devicesOf(await fetchDevices());
  await forgetDevice();
  const keptAfterForget = storedDeviceKey();
  await signOut();

  const third = await signInThroughSteps();
  const elsewhere = await forgetElsewhere(third.deviceKeyClaim);
  const keptAfterElsewhere = storedDeviceKey();
  await signOut();
  const fourth = await signInThroughSteps();
  await signOut();

  return {
    flow: args.flow ?? "default",
    remember,
    first,
    keptAfterSignOut,
    second,
    refreshed,
    listed,
    keptAfterForget,
    third,
    elsewhere,
    keptAfterElsewhere,
    fourth,
  };
});
