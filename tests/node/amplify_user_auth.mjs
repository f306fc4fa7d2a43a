// Amplify v6 (aws-amplify/auth) and choice-based sign-in (AuthFlow USER_AUTH), unchanged.
//   node amplify_user_auth.mjs --scenario sign-in --endpoint URL --pool-id ID --client-id ID
//        --username U [--password P] [--preferred PASSWORD|PASSWORD_SRP|EMAIL_OTP|SMS_OTP]
//        [--choose FACTOR]
//     signIn({username, password, options: {authFlowType: 'USER_AUTH', preferredChallenge}}),
//     then confirmSignIn for each nextStep as a user would: --choose at the first factor
//     selection, --password when asked for the password, an email or SMS code from the outbox.
//   node amplify_user_auth.mjs --scenario sign-up ... --username U (--email A | --phone N)
//     signUp without a password (autoSignIn: {authFlowType: 'USER_AUTH'}), confirmSignUp with
//     the code the outbox holds, then autoSignIn(): Amplify passes the Session ConfirmSignUp
//     returned to InitiateAuth USER_AUTH.
// The result holds every nextStep Amplify showed (nextSteps) and the claims of the tokens it
// kept; lib.mjs adds the requests made (`steps`: "RespondToAuthChallenge SELECT_CHALLENGE").

import { claims, options, run } from "./lib.mjs";
import { sentCode } from "./mfa_lib.mjs";
import { Amplify } from "aws-amplify";
import {
  autoSignIn,
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  getCurrentUser,
  signIn,
  signOut,
  signUp,
} from "aws-amplify/auth";

const args = options(
  ["scenario", "endpoint", "pool-id", "client-id", "username"],
  ["password", "preferred", "choose", "email", "phone"],
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

function need(name) {
  if (args[name] === undefined) throw new Error(`--${name} is needed for this step`);
  return args[name];
}

/** The answer a user gives to `nextStep`. */
async function answerTo(nextStep) {
  switch (nextStep.signInStep) {
    case "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION":
      return { challengeResponse: need("choose") };
    case "CONFIRM_SIGN_IN_WITH_PASSWORD":
      return { challengeResponse: need("password") };
    case "CONFIRM_SIGN_IN_WITH_EMAIL_CODE":
    case "CONFIRM_SIGN_IN_WITH_SMS_CODE":
      return { challengeResponse: await outboxCode() };
    default:
      throw new Error(`no answer for ${nextStep.signInStep}`);
  }
}

/** What the tokens Amplify keeps say, and who it thinks is signed in. */
async function signedIn() {
  const session = await fetchAuthSession();
  const tokens = session.tokens;
  if (tokens === undefined) return { accessClaims: null, idClaims: null, currentUser: null };
  const { username, userId } = await getCurrentUser();
  return {
    accessClaims: claims(tokens.accessToken.toString()),
    idClaims: tokens.idToken ? claims(tokens.idToken.toString()) : null,
    currentUser: { username, userId },
  };
}

/** Answer every nextStep after `output` (a signIn or autoSignIn output), at most `tries`. */
async function throughSteps(output, tries = 6) {
  const nextSteps = [];
  while (!output.isSignedIn && nextSteps.length < tries) {
    nextSteps.push(output.nextStep);
    output = await confirmSignIn(await answerTo(output.nextStep));
  }
  return { nextSteps, isSignedIn: output.isSignedIn, last: output.nextStep };
}

async function signInScenario() {
  const first = await signIn({
    username: args.username,
    password: args.password,
    options: { authFlowType: "USER_AUTH", preferredChallenge: args.preferred },
  });
  const result = await throughSteps(first);
  const signed = await signedIn();
  await signOut();
  return { ...result, ...signed };
}

async function signUpScenario() {
  const userAttributes = {};
  if (args.email !== undefined) userAttributes.email = args.email;
  if (args.phone !== undefined) userAttributes.phone_number = args.phone;
  const signedUp = await signUp({
    username: args.username,
    options: { userAttributes, autoSignIn: { authFlowType: "USER_AUTH" } },
  });
  const confirmed = await confirmSignUp({
    username: args.username,
    confirmationCode: await outboxCode(),
  });
  const auto = await autoSignIn();
  const result = await throughSteps(auto);
  const signed = await signedIn();
  await signOut();
  return { signUp: signedUp, confirmSignUp: confirmed, ...result, ...signed };
}

const scenarios = { "sign-in": signInScenario, "sign-up": signUpScenario };

await run(async () => {
  const scenario = scenarios[args.scenario];
  if (scenario === undefined) throw new Error(`unknown scenario ${args.scenario}`);
  return { scenario: args.scenario, preferred: args.preferred ?? null, ...(await scenario()) };
});
