// A web app that signs in the way most Cognito apps do: Amplify v6's signInWithRedirect (the
// pool domain's /oauth2/authorize, its managed login page, back with a code exchanged at
// /oauth2/token with PKCE), fetchAuthSession and signOut (RevokeToken, then the domain's
// /logout). tests/test_browser_redirect.py bundles it with esbuild and serves it from
// http://localhost:PORT/. The configuration is kept in localStorage, since the page is loaded
// again when the login page sends the browser back to it; Amplify finishes the sign-in then.

import { Amplify } from "aws-amplify";
import { fetchAuthSession, signInWithRedirect, signOut } from "aws-amplify/auth";
import "aws-amplify/auth/enable-oauth-listener";
import { Hub } from "aws-amplify/utils";

const CONFIG_KEY = "redirectPage.config";
const events = [];

Hub.listen("auth", ({ payload }) => {
  events.push({ event: payload.event, error: payload.data?.error?.name ?? null });
});

function amplifyConfig(config) {
  return {
    Auth: {
      Cognito: {
        userPoolId: config.userPoolId,
        userPoolClientId: config.userPoolClientId,
        userPoolEndpoint: config.endpoint,
        loginWith: {
          oauth: {
            domain: config.domain,
            scopes: config.scopes,
            redirectSignIn: [config.appUrl],
            redirectSignOut: [config.appUrl],
            responseType: "code",
          },
        },
      },
    },
  };
}

async function attempt(step) {
  try {
    return { ok: true, value: (await step()) ?? null };
  } catch (error) {
    return { ok: false, error: { name: error?.name, message: error?.message } };
  }
}

// What Amplify holds for the signed-in user, or null when nobody is signed in.
async function currentTokens() {
  const { tokens } = await fetchAuthSession();
  if (tokens === undefined) return null;
  return {
    accessToken: tokens.accessToken.toString(),
    idToken: tokens.idToken?.toString() ?? null,
  };
}

// The refresh token Amplify keeps in localStorage (it never hands it to the app otherwise).
function storedRefreshToken() {
  const key = Object.keys(localStorage).find((name) => name.endsWith(".refreshToken"));
  return key === undefined ? null : localStorage.getItem(key);
}

const saved = localStorage.getItem(CONFIG_KEY);
if (saved !== null) Amplify.configure(amplifyConfig(JSON.parse(saved)));

window.redirectPage = {
  configure(config) {
    localStorage.setItem(CONFIG_KEY, JSON.stringify(config));
    Amplify.configure(amplifyConfig(config));
  },
  // Both leave the page; the test waits for where the browser goes.
  signIn: () => {
    signInWithRedirect().catch((error) => events.push({ event: "signIn_error", error: error.name }));
  },
  signOut: () => {
    signOut().catch((error) => events.push({ event: "signOut_error", error: error.name }));
  },
  currentTokens: () => attempt(currentTokens),
  storedRefreshToken,
  events: () => events,
};
