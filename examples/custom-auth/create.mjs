// CreateAuthChallenge: the question the client is shown, and the answer it is checked against.
export const handler = async (event) => {
  event.response.publicChallengeParameters = { question: "What is the capital of France?" };
  event.response.privateChallengeParameters = { answer: "paris" }; // never sent to the client
  event.response.challengeMetadata = "CAPITAL-QUESTION";
  return event;
};
