// What the Node handlers here share: each appends the event it received, as one JSON line, to
// the file $SIGNIN_TRIGGER_LOG names (the tests read it back), and does what the test asks of
// it: `modes` are the user's custom:modes attribute ("post=throw,token=malformed") overlaid
// with the call's validationData and clientMetadata ({"define": "fail"}).
import { appendFileSync } from "node:fs";

export function record(event) {
  const log = process.env.SIGNIN_TRIGGER_LOG;
  if (log) appendFileSync(log, `${JSON.stringify(event)}\n`);
}

export function modes(event) {
  const request = event.request ?? {};
  const chosen = {};
  for (const pair of (request.userAttributes?.["custom:modes"] ?? "").split(",")) {
    const [key, value] = pair.split("=");
    if (key && value) chosen[key] = value;
  }
  return Object.assign(chosen, request.validationData ?? {}, request.clientMetadata ?? {});
}
