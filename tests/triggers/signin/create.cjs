// CreateAuthChallenge, CommonJS in the callback style: round N asks "what is N + 1?" (N is the
// length of session[]); the answer stays in the private parameters. modes.create "throw"
// calls back with an error.
const { appendFileSync } = require("node:fs");

exports.handler = function (event, context, callback) {
  if (process.env.SIGNIN_TRIGGER_LOG) {
    appendFileSync(process.env.SIGNIN_TRIGGER_LOG, `${JSON.stringify(event)}\n`);
  }
  if (event.request.clientMetadata?.create === "throw") {
    callback(new Error("no question for you"));
    return;
  }
  const round = event.request.session.length;
  event.response = {
    publicChallengeParameters: { question: `what is ${round} + 1?` },
    privateChallengeParameters: { answer: String(round + 1) },
    challengeMetadata: `ROUND-${round}`,
  };
  callback(null, event);
};
