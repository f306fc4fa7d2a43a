// Amplify v6 (aws-amplify/auth) and second factors.
//   node amplify_mfa.mjs --scenario sign-in --endpoint URL --pool-id ID --client-id ID
//        --username U --password P [--flow USER_PASSWORD_AUTH] [--secret TOTP]
//        [--choose TOTP|SMS|EMAIL] [--email ADDRESS]
//     signIn, then confirmSignIn for each nextStep as a user would: a TOTP code from --secret,
//     an SMS or email code from the outbox, --choose at an MFA selection, --email for email
//     setup, an authenticator registered with the secret Amplify shows for TOTP setup.
//   node amplify_mfa.mjs --scenario set-up-totp ...
//     signed in: setUpTOTP, verifyTOTPSetup, updateMFAPreference({totp: 'PREFERRED'}),
//     fetchMFAPreference; then signs out and in again through the TOTP code.
//   node amplify_mfa.mjs --scenario update-email ... --email ADDRESS
//     signed in: updateUserAttributes({email}), confirmUserAttribute with the code the
//     outbox holds, fetchUserAttributes.
// Without --flow, signIn uses its default, USER_SRP_AUTH.

import { options, run } from "./lib.mjs";
import { awayFromStepEdge, sentCode, totp } from "./mfa_lib.mjs";
import { Amplify } from "aws-amplify";
import {
  confirmSignIn,
  confirmUserAttribute,
  fetchAuthSession,
  fetchMFAPreference,
  fetchUserAttributes,
  setUpTOTP,
  signIn,
  signOut,
  updateMFAPreference,
  updateUserAttributes,
  verifyTOTPSetup,
} from "aws-amplify/auth";

const args = options(
  ["scenario", "endpoint", "pool-id", "client-id", "username", "password"],
  ["flow", "secret", "choose", "email"],
);

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: args["pool-id"],
      userPoolClientId: args["client-id"],
      userPoolEndpoint: args.endpoint,
    },
  },
});

const outboxCode = () => sentCode(args.endpoint, args["pool-id"], args.username);

/** The answer a user gives to `nextStep`, and the secret of an authenticator set up. */
async function answerTo(nextStep, secret) {
  switch (nextStep.signInStep) {
    case "CONFIRM_SIGN_IN_WITH_TOTP_CODE":
      return { challengeResponse: totp(secret) };
    case "CONFIRM_SIGN_IN_WITH_SMS_CODE":
    case "CONFIRM_SIGN_IN_WITH_EMAIL_CODE":
      return { challengeResponse: await outboxCode() };
    case "CONTINUE_SIGN_IN_WITH_MFA_SELECTION":
    case "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION":
      return { challengeResponse: args.choose };
    case "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP":
      return { challengeResponse: args.email };
    case "CONTINUE_SIGN_IN_WITH_TOTP_SETUP":
      await awayFromStepEdge();
      return {
        challengeResponse: totp(nextStep.totpSetupDetails.sharedSecret, -1),
        options: { friendlyDeviceName: "amplify phone" },
      };
    default:
      throw new Error(`no answer for ${nextStep.signInStep}`);
  }
}

/** Sign in through every step; the steps seen (what Amplify showed of each) and the tokens. */
async function signInThroughSteps(secret, tries = 8) {
  const signInOptions = args.flow === undefined ? undefined : { authFlowType: args.flow };
  let output = await signIn({
    username: args.username,
    password: args.password,
    options: signInOptions,
  });
  const steps = [];
  while (!output.isSignedIn && steps.length < tries) {
    const { nextStep } = output;
    steps.push(nextStep);
    if (nextStep.signInStep === "CONTINUE_SIGN_IN_WITH_TOTP_SETUP") {
      secret = nextStep.totpSetupDetails.sharedSecret;
    }
    output = await confirmSignIn(await answerTo(nextStep, secret));
  }
  const session = await fetchAuthSession();
  return {
    steps,
    isSignedIn: output.isSignedIn,
    last: output.nextStep,
    accessClaims: session.tokens?.accessToken.payload ?? null,
    secret,
  };
}

async function setUpTotpScenario() {
  await signInThroughSteps(undefined);
  const details = await setUpTOTP();
  const secret = details.sharedSecret;
  await awayFromStepEdge();
  await verifyTOTPSetup({ code: totp(secret, -1), options: { friendlyDeviceName: "amplify" } });
  await updateMFAPreference({ totp: "PREFERRED" });
  const preference = await fetchMFAPreference();
  await signOut();
  const again = await signInThroughSteps(secret);
  await signOut();
  return { secretLength: secret.length, setupUri: details.getSetupUri("userpool").href, preference, again };
}

async function updateEmailScenario() {
  if (args.email === undefined) throw new Error("--email is required");
  await signInThroughSteps(undefined);
  const updated = await updateUserAttributes({ userAttributes: { email: args.email } });
  const before = await fetchUserAttributes();
  const code = await sentCode(args.endpoint, args["pool-id"], args.username);
  await confirmUserAttribute({ userAttributeKey: "email", confirmationCode: code });
  const after = await fetchUserAttributes();
  await signOut();
  return { updated, before, after };
}

const scenarios = {
  "sign-in": async () => {
    const result = await signInThroughSteps(args.secret);
    await signOut();
    return result;
  },
  "set-up-totp": setUpTotpScenario,
  "update-email": updateEmailScenario,
};

await run(async () => {
  const scenario = scenarios[args.scenario];
  if (scenario === undefined) throw new Error(`unknown scenario ${args.scenario}`);
  return { scenario: args.scenario, authFlowType: args.flow ?? "default", ...(await scenario()) };
});
