// PreTokenGeneration V2_0 for bench/triggers.py: one claim on each token, as a typical
// function adds a tenant or role.
export const handler = async (event) => {
  event.response = {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: { claimsToAddOrOverride: { tenant: "bench" } },
      accessTokenGeneration: { claimsToAddOrOverride: { tenant: "bench" } },
    },
  };
  return event;
};
