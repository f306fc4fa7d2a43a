// @aws-sdk/client-cognito-identity-provider (v3) against the server, `endpoint` set.
//   node sdk_v3.mjs --endpoint URL --pool-id ID --client-id ID --username U --password P
// The SDK has no SRP maths of its own: USER_SRP_AUTH is covered by amplify.mjs and
// identity_js.mjs (their --flow option) once the server implements it.

import { claims, describeError, options, run } from "./lib.mjs";
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
  paginateListUserPools,
} from "@aws-sdk/client-cognito-identity-provider";

const args = options(["endpoint", "pool-id", "client-id", "username", "password"]);

const client = new CognitoIdentityProviderClient({
  endpoint: args.endpoint,
  region: args["pool-id"].split("_")[0],
  credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret" },
  maxAttempts: 1,
});

function signIn(username, password) {
  return client.send(
    new InitiateAuthCommand({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: args["client-id"],
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
}

async function failure(promise) {
  try {
    await promise;
  } catch (error) {
    return describeError(error);
  }
  throw new Error("the call was expected to fail");
}

function tokensOf(result) {
  const auth = result.AuthenticationResult;
  return {
    tokenType: auth.TokenType,
    expiresIn: auth.ExpiresIn,
    hasRefreshToken: typeof auth.RefreshToken === "string",
    idToken: auth.IdToken,
    accessToken: auth.AccessToken,
    idClaims: claims(auth.IdToken),
    accessClaims: claims(auth.AccessToken),
  };
}

await run(async () => {
  const poolIds = []; // every page: the shared test server holds many pools
  for await (const page of paginateListUserPools({ client }, { MaxResults: 60 })) {
    poolIds.push(...page.UserPools.map((pool) => pool.Id));
  }
  const user = await client.send(
    new AdminGetUserCommand({ UserPoolId: args["pool-id"], Username: args.username }),
  );
  const signedIn = await signIn(args.username, args.password);
  const me = await client.send(
    new GetUserCommand({ AccessToken: signedIn.AuthenticationResult.AccessToken }),
  );
  const refreshed = await client.send(
    new InitiateAuthCommand({
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: args["client-id"],
      AuthParameters: { REFRESH_TOKEN: signedIn.AuthenticationResult.RefreshToken },
    }),
  );
  const fromRefreshToken = await client.send(
    new GetTokensFromRefreshTokenCommand({
      ClientId: args["client-id"],
      RefreshToken: signedIn.AuthenticationResult.RefreshToken,
    }),
  );
  return {
    poolIds,
    adminGetUser: {
      username: user.Username,
      status: user.UserStatus,
      enabled: user.Enabled,
      attributes: Object.fromEntries(user.UserAttributes.map((a) => [a.Name, a.Value])),
      created: user.UserCreateDate instanceof Date,
    },
    signIn: tokensOf(signedIn),
    getUser: {
      username: me.Username,
      attributes: Object.fromEntries(me.UserAttributes.map((a) => [a.Name, a.Value])),
    },
    refreshTokenAuth: tokensOf(refreshed),
    getTokensFromRefreshToken: tokensOf(fromRefreshToken),
    wrongPassword: await failure(signIn(args.username, `${args.password}-wrong`)),
    unknownPool: await failure(
      client.send(new AdminGetUserCommand({ UserPoolId: "us-east-1_missing00", Username: "x" })),
    ),
  };
});
