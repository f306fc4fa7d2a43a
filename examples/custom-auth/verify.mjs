// VerifyAuthChallengeResponse: is the client's ANSWER the right one?
export const handler = async (event) => {
  const expected = event.request.privateChallengeParameters.answer;
  event.response.answerCorrect = event.request.challengeAnswer.trim().toLowerCase() === expected;
  return event;
};
