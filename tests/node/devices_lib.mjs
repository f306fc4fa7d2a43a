// Shared by the device client scripts (tests/test_node_devices.py), imported after lib.mjs:
// `exchanges`, what each Cognito request carried about devices (DEVICE_KEY, the Session it
// sent) and what the server answered, recorded around lib.mjs's fetch.

import { createHash } from "node:crypto";

/** What each Cognito request carried about devices, and what the server answered. */
export const exchanges = [];

function parsed(text) {
  try {
    return typeof text === "string" ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}

/** A short name for a Session, to tell which answer issued the one a request sends. */
function sessionName(session) {
  return session ? createHash("sha256").update(session).digest("hex").slice(0, 12) : null;
}

/** The DEVICE_KEY a request sent: its value, null when sent as null, absent otherwise. */
function sentDeviceKey(request) {
  for (const part of [request.AuthParameters, request.ChallengeResponses, request]) {
    for (const name of ["DEVICE_KEY", "DeviceKey"]) {
      if (part && Object.hasOwn(part, name)) return { deviceKey: part[name] };
    }
  }
  return {};
}

const recordedFetch = globalThis.fetch; // lib.mjs's, which records `steps`
globalThis.fetch = async function deviceRecordingFetch(input, init) {
  const headers = new Headers(init?.headers ?? {});
  const target = headers.get("x-amz-target");
  const response = await recordedFetch(input, init);
  if (!target) return response;
  const request = parsed(init?.body);
  const body = parsed(await response.clone().text());
  exchanges.push({
    operation: target.split(".").pop(),
    step: request.AuthFlow ?? request.ChallengeName ?? null,
    ...sentDeviceKey(request),
    session: sessionName(request.Session),
    answered: response.ok
      ? {
          challengeName: body.ChallengeName ?? null,
          session: sessionName(body.Session),
          tokens: body.AuthenticationResult !== undefined,
          newDeviceKey: body.AuthenticationResult?.NewDeviceMetadata?.DeviceKey ?? null,
        }
      : { error: body.__type, message: body.message },
  });
  return response;
};
