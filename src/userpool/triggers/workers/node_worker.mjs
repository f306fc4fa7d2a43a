// A long-lived Node process that runs one handler file's functions for userpool, one call at
// a time, as a Lambda execution environment does.
//
//   node node_worker.mjs <handler file> <requests fd> <responses fd>
//
// Requests arrive as JSON lines on <requests fd>:
//   {"id", "handler", "function", "arn", "deadlineMs", "event"}
// and each gets, on <responses fd>, any number of {"id", "log"} lines (the handler's console
// output, in order) and then {"id", "result"} or {"id", "error": {errorType, errorMessage}}.
// Both are pipes of their own, not stdin/stdout: whatever the handler writes, by console.log
// or straight to fd 1 or 2, cannot be taken for a reply. The worker exits when the requests
// pipe closes (the server stopped, or died).
import { writeSync } from "node:fs";
import { Socket } from "node:net";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [file, requestsFd, responsesFd] = process.argv.slice(2);
const responses = Number(responsesFd);
const MAX_LOG_LINE = 256 * 1024; // CloudWatch's limit on one log event

let current = null; // the id of the request being served; its console output is tagged with it

function writeLine(text) {
  const bytes = Buffer.from(text + "\n");
  for (let written = 0; written < bytes.length; ) {
    written += writeSync(responses, bytes, written);
  }
}

function send(message) {
  writeLine(JSON.stringify(message));
}

// console.* and process.stdout/stderr.write all end in a stream's write(): each complete line
// becomes a log message of the request being served.
const pending = { stdout: "", stderr: "" };
for (const name of ["stdout", "stderr"]) {
  process[name].write = (chunk, encoding, callback) => {
    pending[name] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    const lines = pending[name].split("\n");
    pending[name] = lines.pop();
    for (const line of lines) send({ id: current, log: line.slice(0, MAX_LOG_LINE) });
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") done();
    return true;
  };
}

function flushConsole() {
  for (const name of ["stdout", "stderr"]) {
    if (pending[name]) send({ id: current, log: pending[name].slice(0, MAX_LOG_LINE) });
    pending[name] = "";
  }
}

// What Lambda's Node runtime reports for an error: its name and message.
function describe(error, errorType) {
  if (error instanceof Error) {
    return { errorType: errorType ?? error.name, errorMessage: String(error.message) };
  }
  if (error && typeof error === "object" && "errorType" in error) {
    return { errorType: String(error.errorType), errorMessage: String(error.errorMessage) };
  }
  return { errorType: errorType ?? typeof error, errorMessage: String(error) };
}

let loaded = null; // the handler file's module, imported on first use
async function handlerNamed(name) {
  if (loaded === null) {
    try {
      loaded = await import(pathToFileURL(file).href);
    } catch (error) {
      const syntax = error instanceof SyntaxError;
      throw describe(error, syntax ? "Runtime.UserCodeSyntaxError" : "Runtime.ImportModuleError");
    }
  }
  // A CommonJS file's exports arrive as `default` when Node cannot see them as named exports.
  const handler = loaded[name] ?? loaded.default?.[name];
  if (typeof handler !== "function") {
    const errorMessage = `${basename(file)}.${name} is undefined or not exported`;
    throw { errorType: "Runtime.HandlerNotFound", errorMessage };
  }
  return handler;
}

function contextFor(request) {
  return {
    functionName: request.function,
    functionVersion: "$LATEST",
    invokedFunctionArn: request.arn,
    memoryLimitInMB: "128",
    awsRequestId: request.id,
    logGroupName: `/aws/lambda/${request.function}`,
    logStreamName: "userpool",
    getRemainingTimeInMillis: () => Math.max(0, request.deadlineMs - Date.now()),
  };
}

// An async handler answers with its promise; a callback-style one (three parameters) by
// calling back; a plain function that returns a value, with that value.
function run(handler, request) {
  return new Promise((resolve, reject) => {
    const callback = (error, value) => {
      if (error === null || error === undefined) resolve(value);
      else reject(error);
    };
    const returned = handler(request.event, contextFor(request), callback);
    if (returned && typeof returned.then === "function") returned.then(resolve, reject);
    else if (handler.length < 3) resolve(returned);
  });
}

async function serve(request) {
  current = request.id;
  let reply;
  try {
    const result = await run(await handlerNamed(request.handler), request);
    // JSON.stringify throws on a BigInt or a cycle: the function's error, as in Lambda.
    reply = JSON.stringify({ id: request.id, result: result === undefined ? null : result });
  } catch (error) {
    reply = JSON.stringify({ id: request.id, error: describe(error) });
  }
  flushConsole();
  writeLine(reply);
  current = null;
}

// An error nothing catches (a throw in a timer, a rejected promise nobody awaits) ends the
// call it happened in, as the function's error, and then this process, as in Lambda: the server
// starts a fresh one for the next call.
function fatal(error) {
  flushConsole();
  // `exiting`: the server must not hand this worker another call while it ends.
  if (current !== null) send({ id: current, error: describe(error), exiting: true });
  process.exit(129);
}
process.on("uncaughtException", fatal);
process.on("unhandledRejection", fatal);

let queue = Promise.resolve(); // one call at a time, in order
// A net.Socket, not fs.createReadStream: that reads a pipe in a blocking libuv thread, which
// keeps process.exit() from ever returning.
const input = new Socket({ fd: Number(requestsFd), readable: true, writable: false });
const requests = createInterface({ input, crlfDelay: Infinity });
requests.on("line", (line) => {
  const request = JSON.parse(line);
  queue = queue.then(() => serve(request));
});
requests.on("close", () => queue.then(() => process.exit(0)));
