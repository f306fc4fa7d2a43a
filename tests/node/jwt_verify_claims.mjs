// aws-jwt-verify on tokens a PreTokenGeneration function shaped (tests/test_node_custom_auth.py).
//   node jwt_verify_claims.mjs --issuer URL/POOL --jwks-uri URL --client-id ID
//        --id-token JWT --access-token JWT --id-claim NAME --access-claim NAME --scope SCOPE
// JwtRsaVerifier fetches the server's JWKS (over plain http, through the library's fetcher
// hook as in jwt_verify.mjs) and checks the Cognito fields; the access verifier requires
// --scope, the library's own `scope` check, and each verifier requires its added claim
// (customJwtCheck). Rejections: a scope the token was not given, and each token with its added
// claim's value changed in the payload (the signature no longer matches).

import { describeError, options, run } from "./lib.mjs";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

const args = options([
  "issuer",
  "jwks-uri",
  "client-id",
  "id-token",
  "access-token",
  "id-claim",
  "access-claim",
  "scope",
]);

const httpFetcher = {
  async fetch(uri) {
    const response = await fetch(uri);
    if (response.status !== 200) throw new Error(`${uri}: status ${response.status}`);
    return response.arrayBuffer();
  },
};

function requiring(tokenUse, claim) {
  return ({ payload }) => {
    validateCognitoJwtFields(payload, { tokenUse, clientId: args["client-id"] });
    if (payload[claim] === undefined) throw new Error(`no ${claim} claim in the ${tokenUse} token`);
  };
}

function verifier(props) {
  return JwtRsaVerifier.create(
    { issuer: args.issuer, jwksUri: args["jwks-uri"], ...props },
    { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) },
  );
}

/** The token with `claim` set to another value in its payload, the signature kept. */
function withClaimChanged(jwt, claim) {
  const [header, payload, signature] = jwt.split(".");
  const changed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  changed[claim] = `${changed[claim]}-changed`;
  return `${header}.${Buffer.from(JSON.stringify(changed)).toString("base64url")}.${signature}`;
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return describeError(error);
  }
  return null; // accepted: the test fails on this
}

await run(async () => {
  const idToken = args["id-token"];
  const accessToken = args["access-token"];
  const idClaim = args["id-claim"];
  const accessClaim = args["access-claim"];
  const idVerifier = verifier({
    audience: args["client-id"],
    customJwtCheck: requiring("id", idClaim),
  });
  const accessVerifier = verifier({
    audience: null,
    scope: args.scope,
    customJwtCheck: requiring("access", accessClaim),
  });
  const otherScope = verifier({ audience: null, scope: "userpool-tests/not.granted" });
  return {
    id: await idVerifier.verify(idToken),
    access: await accessVerifier.verify(accessToken),
    rejected: {
      otherScope: await rejection(otherScope.verify(accessToken)),
      idClaimChanged: await rejection(idVerifier.verify(withClaimChanged(idToken, idClaim))),
      accessClaimChanged: await rejection(
        accessVerifier.verify(withClaimChanged(accessToken, accessClaim)),
      ),
      idWithoutAccessClaim: await rejection(
        verifier({ audience: args["client-id"], customJwtCheck: requiring("id", accessClaim) })
          .verify(idToken),
      ),
    },
  };
});
