// aws-jwt-verify across a rotation of the pool's signing keys, as an API verifying tokens
// would see it: one verifier (one JWKS cache) lives through the rotation.
//   node jwt_verify_rotation.mjs --endpoint URL --issuer URL/POOL --jwks-uri URL
//        --pool-id ID --client-id ID --username NAME --password PW
// 1. signs in (USER_PASSWORD_AUTH) and verifies the ID and access tokens: the JWKS is fetched;
// 2. rotates the pool's keys (POST /_userpool/keys/rotate, the new keys signing at once:
//    aws-jwt-verify fetches the JWKS again for any kid it does not know), signs in again and
//    verifies the new tokens: their kid is not in the cached JWKS, so it is fetched again;
// 3. verifies the tokens from before the rotation again, from that JWKS;
// 4. rotates again, taking the old keys out at once, and verifies the tokens with new
//    verifiers: their kids are gone from the JWKS, so each must be refused.
import { claims, describeError, options, run } from "./lib.mjs";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

const args = options([
  "endpoint",
  "issuer",
  "jwks-uri",
  "client-id",
  "pool-id",
  "username",
  "password",
]);
const clientId = args["client-id"];

let fetches = 0;
// aws-jwt-verify's own fetcher speaks https only: a plain-http one through its documented hook.
const httpFetcher = {
  async fetch(uri) {
    fetches += 1;
    const response = await fetch(uri);
    if (response.status !== 200) throw new Error(`${uri}: status ${response.status}`);
    return response.arrayBuffer();
  },
};

function verifiers() {
  const jwksCache = new SimpleJwksCache({ fetcher: httpFetcher });
  const make = (tokenUse, audience) =>
    JwtRsaVerifier.create(
      {
        issuer: args.issuer,
        jwksUri: args["jwks-uri"],
        audience,
        customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse, clientId }),
      },
      { jwksCache },
    );
  return { id: make("id", clientId), access: make("access", null) };
}

async function signIn() {
  const response = await fetch(args.endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
    },
    body: JSON.stringify({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: clientId,
      AuthParameters: { USERNAME: args.username, PASSWORD: args.password },
    }),
  });
  const body = await response.json();
  if (!body.AuthenticationResult) throw new Error(`sign-in refused: ${JSON.stringify(body)}`);
  return { id: body.AuthenticationResult.IdToken, access: body.AuthenticationResult.AccessToken };
}

async function rotate(options) {
  const response = await fetch(`${args.endpoint}/_userpool/keys/rotate`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ UserPoolId: args["pool-id"], ...options }),
  });
  if (response.status !== 200) throw new Error(`rotation refused: ${await response.text()}`);
}

async function verified(verifier, tokens) {
  return {
    id: (await verifier.id.verify(tokens.id)).sub,
    access: (await verifier.access.verify(tokens.access)).sub,
  };
}

// With a verifier of its own each: after a kid is not found, the library's penalty box makes
// the next lookup on that JWKS wait, which would refuse the next token for another reason.
async function refusal(use, token) {
  try {
    await verifiers()[use].verify(token);
  } catch (error) {
    return describeError(error);
  }
  return null; // accepted: the test fails on this
}

const kids = (tokens) => ({
  id: JSON.parse(Buffer.from(tokens.id.split(".")[0], "base64url")).kid,
  access: JSON.parse(Buffer.from(tokens.access.split(".")[0], "base64url")).kid,
});

await run(async () => {
  const verifier = verifiers();
  const before = await signIn();
  const result = { before: { kids: kids(before), sub: claims(before.id).sub } };
  result.before.verified = await verified(verifier, before);
  result.before.fetches = fetches;

  await rotate({ PublishAheadSeconds: 0 });
  const after = await signIn();
  result.after = { kids: kids(after), verified: await verified(verifier, after) };
  result.after.fetches = fetches;
  result.beforeAgain = { verified: await verified(verifier, before), fetches };

  await rotate({ KeepOldSeconds: 0 });
  result.retired = {
    beforeAccess: await refusal("access", before.access),
    beforeId: await refusal("id", before.id),
    afterAccess: await refusal("access", after.access),
  };
  return result;
});
