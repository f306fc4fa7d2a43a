// Shared by the client scripts: a loopback-only network guard, argument parsing and the
// JSON result protocol read by tests/test_node_clients.py.
//
// Every script prints exactly one JSON line on stdout:
//   {"ok": true, "result": {...}, "blocked": []}        exit code 0
//   {"ok": false, "error": {...}, "blocked": [...]}     exit code 1
// `blocked` lists every non-loopback host a library tried to reach (the attempt fails);
// `calls` lists the Cognito operations sent through fetch() (Amplify, identity-js), and
// `steps` the same with the AuthFlow or ChallengeName each carried ("InitiateAuth USER_SRP_AUTH").

import net from "node:net";
import { parseArgs } from "node:util";

const blocked = [];

function isLoopback(host) {
  const bare = String(host).replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

function targetHost(args) {
  // Node calls connect() with a normalised [options, callback] array internally.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first !== null && typeof first === "object") {
    return first.path ? null : (first.host ?? "localhost");
  }
  if (typeof first === "string" && Number.isNaN(Number(first))) return null; // IPC path
  return typeof args[1] === "string" ? args[1] : "localhost";
}

const realConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const host = targetHost(args);
  if (host !== null && !isLoopback(host)) {
    blocked.push(String(host));
    throw new Error(`network access to ${host} is blocked in the userpool tests`);
  }
  return realConnect.apply(this, args);
};

const calls = [];
const steps = [];

function stepOf(operation, body) {
  let request = {};
  try {
    request = typeof body === "string" ? JSON.parse(body) : {};
  } catch {
    request = {};
  }
  const detail = request.AuthFlow ?? request.ChallengeName;
  return detail ? `${operation} ${detail}` : operation;
}

const realFetch = globalThis.fetch;
globalThis.fetch = function recordingFetch(input, init) {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : {}));
  const target = headers.get("x-amz-target");
  if (target) {
    const operation = target.split(".").pop();
    calls.push(operation);
    steps.push(stepOf(operation, init?.body));
  }
  return realFetch(input, init);
};

/** Options of a script, `--name value` on the command line (all strings). */
export function options(required, optional = []) {
  const spec = Object.fromEntries(
    [...required, ...optional].map((name) => [name, { type: "string" }]),
  );
  const { values } = parseArgs({ options: spec, strict: true });
  const missing = required.filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new Error(`missing options: ${missing.join(", ")}`);
  return values;
}

/** The payload of a JWT, without verifying it. */
export function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));
}

/** Change one character of the signature: a token no verifier may accept. */
export function tamper(jwt) {
  const [header, payload, signature] = jwt.split(".");
  const first = signature[0] === "A" ? "B" : "A";
  return `${header}.${payload}.${first}${signature.slice(1)}`;
}

/** An error as plain JSON, with the fields Cognito clients put on it. */
export function describeError(error) {
  if (error === null || typeof error !== "object") return { message: String(error) };
  return {
    name: error.name,
    type: error.constructor?.name,
    code: error.code ?? error.__type,
    message: error.message,
    status: error.$metadata?.httpStatusCode,
    stack: error.stack?.split("\n").slice(0, 6).join("\n"),
  };
}

/** Run `main()`, print its result as JSON and exit; a throw is a failure. */
export async function run(main) {
  let output;
  try {
    output = { ok: true, result: await main(), blocked, calls, steps };
  } catch (error) {
    output = { ok: false, error: describeError(error), blocked, calls, steps };
  }
  if (output.ok && blocked.length > 0) output.ok = false;
  process.stdout.write(`${JSON.stringify(output)}\n`);
  process.exit(output.ok ? 0 : 1);
}
