// @aws-sdk/client-cognito-identity-provider (v3) against a server started with --credentials:
// IAM-authenticated calls with the SDK's own SigV4 signatures, and what each request carried.
//   node sdk_v3_signed.mjs --endpoint URL --region R --access-key-id K --secret-access-key S
// `sent` lists, per request as it left the signer, the header names and the SignedHeaders, so
// the test can check which x-amz-* headers the SDK signs (the server refuses unsigned ones).

import { describeError, options, run } from "./lib.mjs";
import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolCommand,
  ListUserPoolsCommand,
} from "@aws-sdk/client-cognito-identity-provider";

const args = options(["endpoint", "region", "access-key-id", "secret-access-key"]);
const sent = [];

function clientWith(secretAccessKey) {
  const client = new CognitoIdentityProviderClient({
    endpoint: args.endpoint,
    region: args.region,
    credentials: { accessKeyId: args["access-key-id"], secretAccessKey },
    maxAttempts: 1,
  });
  // Runs inside the signing middleware: it sees the request exactly as signed and sent.
  client.middlewareStack.addRelativeTo(
    (next) => async (handlerArgs) => {
      const headers = handlerArgs.request.headers;
      const authorization = headers.authorization ?? "";
      const signed = /SignedHeaders=([^,]*)/.exec(authorization)?.[1] ?? "";
      sent.push({
        target: headers["x-amz-target"],
        headers: Object.keys(headers).map((name) => name.toLowerCase()),
        signed: signed.split(";").filter(Boolean),
      });
      return next(handlerArgs);
    },
    { name: "recordSignedRequest", relation: "after", toMiddleware: "httpSigningMiddleware" },
  );
  return client;
}

await run(async () => {
  const client = clientWith(args["secret-access-key"]);
  const name = `sdk-v3-signed-${Date.now()}`;
  const created = await client.send(new CreateUserPoolCommand({ PoolName: name }));
  const poolId = created.UserPool.Id;
  const described = await client.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
  const listed = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  await client.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
  let afterDelete = null;
  try {
    await client.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
  } catch (error) {
    afterDelete = describeError(error);
  }
  let wrongSecret = null;
  try {
    await clientWith(`${args["secret-access-key"]}-wrong`).send(
      new ListUserPoolsCommand({ MaxResults: 1 }),
    );
  } catch (error) {
    wrongSecret = describeError(error);
  }
  return {
    name,
    describedName: described.UserPool.Name,
    listed: listed.UserPools.some((pool) => pool.Id === poolId),
    afterDelete,
    wrongSecret,
    sent,
  };
});
