// aws-jwt-verify against a server started with `userpool serve --tls`, as an app would use
// it: no fetcher of our own, no JWKS given. The library's default fetcher (https.request)
// fetches ISSUER/.well-known/jwks.json and trusts what Node trusts, so the test runs it with
// NODE_EXTRA_CA_CERTS naming the server's local CA (and once without, to see it refused).
//   node jwt_verify_https.mjs --issuer https://127.0.0.1:PORT/POOL --client-id ID
//                             --access-token JWT

import { describeError, options, run } from "./lib.mjs";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";

const args = options(["issuer", "client-id", "access-token"]);

await run(async () => {
  const clientId = args["client-id"];
  const verifier = JwtRsaVerifier.create({
    issuer: args.issuer,
    audience: null, // an access token has no `aud`: its client is checked below
    customJwtCheck: ({ payload }) =>
      validateCognitoJwtFields(payload, { tokenUse: "access", clientId }),
  });
  try {
    return { access: await verifier.verify(args["access-token"]) };
  } catch (error) {
    return { refused: describeError(error) };
  }
});
