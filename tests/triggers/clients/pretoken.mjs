// PreTokenGeneration (event version 2, LambdaVersion V2_0) for tests/test_node_custom_auth.py:
// one claim added to the ID token, one to the access token, one scope to the access token.
export const SCOPE = "userpool-tests/custom.read";

export const handler = async (event) => {
  if (event.version !== "2") throw new Error(`expected a version 2 event, got ${event.version}`);
  const email = event.request.userAttributes.email ?? "";
  event.response = {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: {
        claimsToAddOrOverride: { token_source: event.triggerSource },
      },
      accessTokenGeneration: {
        claimsToAddOrOverride: { tenant: email.split("@")[1] ?? "none" },
        scopesToAdd: [SCOPE],
      },
    },
  };
  return event;
};
