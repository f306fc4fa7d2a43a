// VerifyAuthChallengeResponse for tests/test_node_custom_auth.py: the answer CreateAuthChallenge
// kept private, exactly.
export const handler = async (event) => {
  const { challengeAnswer, privateChallengeParameters } = event.request;
  event.response = { answerCorrect: challengeAnswer === privateChallengeParameters.answer };
  return event;
};
