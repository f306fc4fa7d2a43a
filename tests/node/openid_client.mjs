// openid-client v6 (panva's certified OpenID relying party) signs in through a pool's domain,
// against a server started with `userpool serve --tls`: Node trusts the server's local CA
// through NODE_EXTRA_CA_CERTS, as an app would once the CA is installed.
//
//   node openid_client.mjs --step authorize --issuer https://127.0.0.1:PORT/POOL
//        --client-id ID --client-secret SECRET --redirect-uri URL
//     discovery() from the issuer, then the authorization URL (PKCE S256, state, nonce):
//     prints it with the verifier, state and nonce the callback step needs.
//   node openid_client.mjs --step callback ... --callback URL --verifier V --state S
//        --nonce N
//     authorizationCodeGrant (state, PKCE, nonce and the ID token checked by the library),
//     fetchUserInfo, refreshTokenGrant, the tokens verified by aws-jwt-verify (its own https
//     fetcher of the JWKS), then tokenRevocation and a refresh that must fail. A refused
//     discovery or grant is returned as `refused` (not a failure of the script).

import { claims, describeError, options, run } from "./lib.mjs";
import * as oidc from "openid-client";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";

const args = options(
  ["step", "issuer", "client-id", "client-secret"],
  ["redirect-uri", "callback", "verifier", "state", "nonce"],
);

const SCOPE = "openid email profile";

/** An openid-client error as JSON: the OAuth error the server sent, if it sent one. */
function refusal(error) {
  return {
    ...describeError(error),
    error: error.error,
    error_description: error.error_description,
    status: error.status,
    cause: error.cause instanceof Error ? error.cause.message : error.cause,
  };
}

async function authorize(config) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: args["redirect-uri"],
    scope: SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  return { url: url.href, verifier, state, nonce, metadata: config.serverMetadata() };
}

/** aws-jwt-verify, as jwt_verify_https.mjs uses it: its default JWKS fetcher (https only),
 *  and the Cognito checks CognitoJwtVerifier makes, for this server's issuer (which
 *  CognitoJwtVerifier cannot take: it derives an amazonaws.com issuer from the pool id). */
function verifiers() {
  const clientId = args["client-id"];
  const make = (tokenUse, audience) =>
    JwtRsaVerifier.create({
      issuer: args.issuer,
      audience,
      customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse, clientId }),
    });
  return { id: make("id", clientId), access: make("access", null) };
}

async function callback(config) {
  let tokens;
  try {
    tokens = await oidc.authorizationCodeGrant(config, new URL(args.callback), {
      pkceCodeVerifier: args.verifier,
      expectedState: args.state,
      expectedNonce: args.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    return { refused: refusal(error) };
  }
  const idClaims = tokens.claims();
  const userInfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  const verify = verifiers();
  const verified = {
    id: await verify.id.verify(tokens.id_token),
    access: await verify.access.verify(tokens.access_token),
    refreshedAccess: await verify.access.verify(refreshed.access_token),
  };
  const userInfoAfterRefresh = await oidc.fetchUserInfo(
    config,
    refreshed.access_token,
    idClaims.sub,
  );
  await oidc.tokenRevocation(config, tokens.refresh_token, {
    token_type_hint: "refresh_token",
  });
  let refreshAfterRevocation;
  try {
    await oidc.refreshTokenGrant(config, tokens.refresh_token);
    refreshAfterRevocation = null; // accepted: the test fails on this
  } catch (error) {
    refreshAfterRevocation = refusal(error);
  }
  return {
    tokens: {
      tokenType: tokens.token_type,
      expiresIn: tokens.expires_in,
      hasRefreshToken: typeof tokens.refresh_token === "string",
    },
    idClaims,
    accessClaims: claims(tokens.access_token),
    userInfo,
    refreshed: {
      tokenType: refreshed.token_type,
      hasRefreshToken: typeof refreshed.refresh_token === "string",
      idClaims: refreshed.claims(),
      accessClaims: claims(refreshed.access_token),
      newAccessToken: refreshed.access_token !== tokens.access_token,
    },
    userInfoAfterRefresh,
    verified,
    refreshAfterRevocation,
  };
}

await run(async () => {
  let config;
  try {
    config = await oidc.discovery(new URL(args.issuer), args["client-id"], args["client-secret"]);
  } catch (error) {
    return { refused: refusal(error) }; // an issuer Node does not trust, say
  }
  if (args.step === "authorize") return authorize(config);
  if (args.step === "callback") return callback(config);
  throw new Error(`unknown step ${args.step}`);
});
