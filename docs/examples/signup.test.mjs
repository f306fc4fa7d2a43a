// A sign-up confirmed with the code userpool kept in its outbox, then a sign-in: `node --test`
// with the AWS SDK for JavaScript v3 (npm install @aws-sdk/client-cognito-identity-provider).
// The server: `userpool serve --seed docs/examples/seed.yaml --delivery outbox --dev-endpoints`
// (docs/ci.md). USERPOOL_ENDPOINT, USERPOOL_POOL_ID and USERPOOL_CLIENT_ID override the defaults.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";

const endpoint = process.env.USERPOOL_ENDPOINT ?? "http://127.0.0.1:9230";
const poolId = process.env.USERPOOL_POOL_ID ?? "us-east-1_LocalPool1"; // the seed's stable ids
const clientId = process.env.USERPOOL_CLIENT_ID ?? "localclient1";

const cognito = new CognitoIdentityProviderClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" }, // any key pair will do
});

async function lastCode(username) {
  const query = new URLSearchParams({ pool: poolId, user: username });
  const response = await fetch(`${endpoint}/_userpool/outbox?${query}`);
  const { messages } = await response.json();
  return messages.at(-1).code;
}

test("a user signs up, confirms with the emailed code and signs in", async () => {
  const username = `user-${Date.now()}`; // new on each run against the same server
  const password = "Passw0rd!";
  const email = { Name: "email", Value: `${username}@example.com` };
  const signedUp = await cognito.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: username,
      Password: password,
      UserAttributes: [email],
    }),
  );
  assert.equal(signedUp.UserConfirmed, false);
  assert.equal(signedUp.CodeDeliveryDetails.DeliveryMedium, "EMAIL");

  const code = await lastCode(username);
  await cognito.send(
    new ConfirmSignUpCommand({ ClientId: clientId, Username: username, ConfirmationCode: code }),
  );

  const signedIn = await cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
  assert.equal(signedIn.AuthenticationResult.TokenType, "Bearer");
});
