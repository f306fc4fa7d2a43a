// aws-jwt-verify against tokens the server issued.
//   node jwt_verify.mjs --mode url --issuer URL/POOL --jwks-uri URL --client-id ID
//                       --id-token JWT --access-token JWT
//   node jwt_verify.mjs --mode aws --pool-id ID --jwks JSON --client-id ID
//                       --id-token JWT --access-token JWT
// mode url: JwtRsaVerifier (the generic verifier) fetches the JWKS from the server.
// mode aws: CognitoJwtVerifier for a server started with `--issuer aws`; the JWKS is
// preloaded with cacheJwks(), so nothing is fetched from amazonaws.com (lib.mjs would
// block and report it).

import { claims, describeError, options, run, tamper } from "./lib.mjs";
import { CognitoJwtVerifier, JwtRsaVerifier } from "aws-jwt-verify";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

const args = options(
  ["mode", "client-id", "id-token", "access-token"],
  ["issuer", "jwks-uri", "pool-id", "jwks"],
);

// aws-jwt-verify's Node fetcher speaks only https: (https-node.js calls https.request),
// so a plain-http JWKS URI needs a fetcher of our own: the library's documented hook.
const httpFetcher = {
  async fetch(uri) {
    const response = await fetch(uri);
    if (response.status !== 200) throw new Error(`${uri}: status ${response.status}`);
    return response.arrayBuffer();
  },
};

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return describeError(error);
  }
  return null; // accepted: the test fails on this
}

async function checks(idVerifier, accessVerifier, otherClientVerifier) {
  const idToken = args["id-token"];
  const accessToken = args["access-token"];
  return {
    id: await idVerifier.verify(idToken),
    access: await accessVerifier.verify(accessToken),
    rejected: {
      tamperedId: await rejection(idVerifier.verify(tamper(idToken))),
      tamperedAccess: await rejection(accessVerifier.verify(tamper(accessToken))),
      accessAsId: await rejection(idVerifier.verify(accessToken)),
      idAsAccess: await rejection(accessVerifier.verify(idToken)),
      otherClient: await rejection(otherClientVerifier.verify(accessToken)),
    },
  };
}

async function urlMode() {
  const cognitoFields = (tokenUse, clientId) => ({
    customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse, clientId }),
  });
  const make = (props) =>
    JwtRsaVerifier.create(
      { issuer: args.issuer, jwksUri: args["jwks-uri"], ...props },
      { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) },
    );
  const clientId = args["client-id"];
  const result = await checks(
    make({ audience: clientId, ...cognitoFields("id", clientId) }),
    make({ audience: null, ...cognitoFields("access", clientId) }),
    make({ audience: null, ...cognitoFields("access", "someotherclient") }),
  );
  // Informational: what the library does with its own fetcher on a plain-http JWKS URI.
  const defaultFetcher = JwtRsaVerifier.create({
    issuer: args.issuer,
    jwksUri: args["jwks-uri"],
    audience: clientId,
  });
  result.defaultFetcherOverHttp = await rejection(defaultFetcher.verify(args["id-token"]));
  return result;
}

async function awsMode() {
  const jwks = JSON.parse(args.jwks);
  const make = (tokenUse, clientId) => {
    const verifier = CognitoJwtVerifier.create({
      userPoolId: args["pool-id"],
      tokenUse,
      clientId,
    });
    verifier.cacheJwks(jwks);
    return verifier;
  };
  const idVerifier = make("id", args["client-id"]);
  const result = await checks(
    idVerifier,
    make("access", args["client-id"]),
    make("access", "someotherclient"),
  );
  result.idSync = idVerifier.verifySync(args["id-token"]);
  result.issuer = claims(args["id-token"]).iss;
  return result;
}

const modes = { url: urlMode, aws: awsMode };

await run(async () => {
  const mode = modes[args.mode];
  if (mode === undefined) throw new Error(`unknown mode ${args.mode}`);
  return { mode: args.mode, ...(await mode()) };
});
