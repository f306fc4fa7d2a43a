// DefineAuthChallenge: decides what comes next from the rounds so far (event.request.session).
export const handler = async (event) => {
  const rounds = event.request.session;
  const last = rounds.at(-1);
  if (last?.challengeResult === true) {
    event.response.issueTokens = true; // a right answer: signed in
  } else if (rounds.length >= 3 || event.request.userNotFound) {
    event.response.failAuthentication = true; // three wrong answers, or nobody by that name
  } else {
    event.response.challengeName = "CUSTOM_CHALLENGE"; // (another) question
  }
  return event;
};
