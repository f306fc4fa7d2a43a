// Shared by the CUSTOM_AUTH client scripts (tests/test_node_custom_auth.py), imported after
// lib.mjs: the answer to a question of tests/triggers/clients/create.mjs, and `exchanges`, what
// each Cognito request carried and what the server answered, beside lib.mjs's `steps`:
//   {operation, authFlow, authParameters: [names], challengeName, challengeResponses: [names],
//    answered: {challengeName, challengeParameters: [names]} | {error: "__type"} }

const exchanges = [];

function parsed(text) {
  try {
    return typeof text === "string" ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}

const names = (object) => (object ? Object.keys(object).sort() : undefined);

const recordedFetch = globalThis.fetch; // lib.mjs's, which records `steps`
globalThis.fetch = async function exchangeRecordingFetch(input, init) {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : {}));
  const target = headers.get("x-amz-target");
  const response = await recordedFetch(input, init);
  if (!target) return response;
  const request = parsed(init?.body);
  const body = parsed(await response.clone().text());
  exchanges.push({
    operation: target.split(".").pop(),
    authFlow: request.AuthFlow,
    authParameters: names(request.AuthParameters),
    challengeName: request.ChallengeName,
    challengeResponses: names(request.ChallengeResponses),
    answered: response.ok
      ? {
          challengeName: body.ChallengeName ?? null,
          challengeParameters: names(body.ChallengeParameters),
          tokens: body.AuthenticationResult !== undefined,
        }
      : { error: body.__type ?? response.status },
  });
  return response;
};

/** The exchanges so far (a script returns them in its result). */
export function recordedExchanges() {
  return exchanges;
}

/** The answer to create.mjs's "What is A + B?", or a wrong one. */
export function answerTo(parameters, { wrong = false } = {}) {
  const match = /^What is (\d+) \+ (\d+)\?$/.exec(parameters?.question ?? "");
  if (match === null) throw new Error(`not a question: ${JSON.stringify(parameters)}`);
  const sum = Number(match[1]) + Number(match[2]);
  return String(wrong ? sum + 1 : sum);
}

/** Which round, counted from 1, gets a wrong answer (--wrong-round), or none. */
export function wrongRound(value) {
  return value === undefined ? 0 : Number(value);
}
