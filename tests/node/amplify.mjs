// Amplify v6 (aws-amplify/auth) in Node, `userPoolEndpoint` pointing at the server.
//   node amplify.mjs --scenario sign-in --endpoint URL --pool-id ID --client-id ID
//                    --username U --password P [--flow USER_PASSWORD_AUTH]
//   node amplify.mjs --scenario new-password ... --password TEMPORARY --new-password P
//   node amplify.mjs --scenario refused ...     (a sign-in that must fail: its error)
// Amplify keeps tokens in its default storage, which in Node (no window.localStorage)
// falls back to an in-memory store; WebCrypto is global in Node 20, so no polyfill.
// Without --flow, signIn gets no authFlowType and uses its default, USER_SRP_AUTH.

import { describeError, options, run } from "./lib.mjs";
import { Amplify } from "aws-amplify";
import {
  confirmSignIn,
  fetchAuthSession,
  getCurrentUser,
  signIn,
  signOut,
} from "aws-amplify/auth";

const args = options(
  ["scenario", "endpoint", "pool-id", "client-id", "username", "password"],
  ["flow", "new-password"],
);
const authFlowType = args.flow ?? "default";

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: args["pool-id"],
      userPoolClientId: args["client-id"],
      userPoolEndpoint: args.endpoint,
    },
  },
});

function tokensOf(session) {
  const { tokens } = session;
  if (tokens === undefined) return null;
  return {
    accessToken: tokens.accessToken.toString(),
    accessClaims: tokens.accessToken.payload,
    idToken: tokens.idToken?.toString(),
    idClaims: tokens.idToken?.payload,
  };
}

async function start() {
  const signInOptions = args.flow === undefined ? undefined : { authFlowType: args.flow };
  return signIn({ username: args.username, password: args.password, options: signInOptions });
}

async function signInScenario() {
  const signedIn = await start();
  const user = await getCurrentUser();
  const first = tokensOf(await fetchAuthSession());
  const cached = tokensOf(await fetchAuthSession());
  const refreshed = tokensOf(await fetchAuthSession({ forceRefresh: true }));
  await signOut({ global: true });
  const afterSignOut = tokensOf(await fetchAuthSession());
  return {
    signIn: signedIn,
    currentUser: user,
    first,
    cachedIsSame: cached?.accessToken === first?.accessToken,
    refreshed,
    afterSignOut,
  };
}

async function newPasswordScenario() {
  if (args["new-password"] === undefined) throw new Error("--new-password is required");
  const signedIn = await start();
  const confirmed = await confirmSignIn({ challengeResponse: args["new-password"] });
  const session = tokensOf(await fetchAuthSession());
  await signOut();
  return { signIn: signedIn, confirmSignIn: confirmed, session };
}

async function refusedScenario() {
  try {
    return { signIn: await start() };
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
  return { scenario: args.scenario, authFlowType, ...(await scenario()) };
});
