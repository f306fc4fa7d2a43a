// Amplify v6 (aws-amplify/auth) through CUSTOM_AUTH (tests/triggers/clients: two questions,
// SRP first when the sign-in starts with SRP_A).
//   node custom_auth_amplify.mjs --flow CUSTOM_WITHOUT_SRP --endpoint URL --pool-id ID
//        --client-id ID --username U [--wrong-round N]
//   node custom_auth_amplify.mjs --flow CUSTOM_WITH_SRP ... --password P [--wrong-round N]
// signIn, then confirmSignIn({challengeResponse}) while the next step is
// CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE; signed in, the session's tokens. --wrong-round N
// answers question N wrongly: the result then holds the error confirmSignIn threw.

import { describeError, options, run } from "./lib.mjs";
import { answerTo, recordedExchanges, wrongRound } from "./custom_auth_lib.mjs";
import { Amplify } from "aws-amplify";
import { confirmSignIn, fetchAuthSession, getCurrentUser, signIn } from "aws-amplify/auth";

const args = options(
  ["flow", "endpoint", "pool-id", "client-id", "username"],
  ["password", "wrong-round"],
);
const wrong = wrongRound(args["wrong-round"]);
const CUSTOM_STEP = "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE";

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: args["pool-id"],
      userPoolClientId: args["client-id"],
      userPoolEndpoint: args.endpoint,
    },
  },
});

async function signedIn() {
  const { tokens } = await fetchAuthSession();
  if (tokens === undefined) return null;
  return {
    accessToken: tokens.accessToken.toString(),
    accessClaims: tokens.accessToken.payload,
    idToken: tokens.idToken?.toString(),
    idClaims: tokens.idToken?.payload,
  };
}

await run(async () => {
  const input = { username: args.username, options: { authFlowType: args.flow } };
  if (args.password !== undefined) input.password = args.password;
  const results = [await signIn(input)];
  let result = results[0];
  while (result.nextStep.signInStep === CUSTOM_STEP) {
    const rounds = results.length;
    const challengeResponse = answerTo(result.nextStep.additionalInfo, { wrong: rounds === wrong });
    try {
      result = await confirmSignIn({ challengeResponse });
    } catch (error) {
      if (error?.name !== "NotAuthorizedException") throw error;
      return { results, refused: describeError(error), exchanges: recordedExchanges() };
    }
    results.push(result);
  }
  return {
    flow: args.flow,
    results,
    currentUser: await getCurrentUser(),
    tokens: await signedIn(),
    exchanges: recordedExchanges(),
  };
});
