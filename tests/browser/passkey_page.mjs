// A web page that signs in with Amplify v6 (aws-amplify/auth) against the userpool server,
// `userPoolEndpoint` pointing at it: a password sign-in, associateWebAuthnCredential() (the
// browser's navigator.credentials.create), sign-out, and a passkey-only sign-in (USER_AUTH,
// preferredChallenge WEB_AUTHN: navigator.credentials.get). tests/test_browser_passkey.py
// bundles it with esbuild, serves it from another origin than the server's, and calls the
// functions below through Playwright's page.evaluate; each resolves to {ok, value} or
// {ok: false, error}, so that a failure comes back as data the test can assert on.

import { Amplify } from "aws-amplify";
import { associateWebAuthnCredential, fetchAuthSession, signIn, signOut } from "aws-amplify/auth";

function describeError(error) {
  return {
    name: error?.name,
    message: error?.message,
    underlying: error?.underlyingError?.name,
  };
}

async function attempt(step) {
  try {
    return { ok: true, value: (await step()) ?? null };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

// What Amplify holds for the signed-in user, or null when nobody is signed in.
async function currentTokens() {
  const { tokens } = await fetchAuthSession();
  if (tokens === undefined) return null;
  return {
    accessToken: tokens.accessToken.toString(),
    username: tokens.accessToken.payload.username,
  };
}

async function userAuth(username, preferredChallenge, password) {
  const result = await signIn({
    username,
    password,
    options: { authFlowType: "USER_AUTH", preferredChallenge },
  });
  return { result, tokens: await currentTokens() };
}

window.passkeyPage = {
  configure({ endpoint, userPoolId, userPoolClientId }) {
    Amplify.configure({
      Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } },
    });
  },
  signInWithPassword: (username, password) =>
    attempt(() => userAuth(username, "PASSWORD", password)),
  registerPasskey: () => attempt(() => associateWebAuthnCredential()),
  signOut: () => attempt(() => signOut()),
  currentTokens: () => attempt(currentTokens),
  signInWithPasskey: (username) => attempt(() => userAuth(username, "WEB_AUTHN")),
};
