// An async ES-module handler for tests/test_triggers_local.py. What a test wants of it comes in
// the event's request.clientMetadata.mode; without one it answers with what it saw.
import { writeSync } from "node:fs";

export const handler = async (event, context) => {
  const mode = event.request.clientMetadata?.mode;
  if (mode === "throw") throw new Error(`no entry for ${event.userName}`);
  if (mode === "exit") process.exit(3);
  if (mode === "hang") for (;;);
  if (mode === "throw later") {
    setTimeout(() => {
      throw new Error("thrown later");
    }, 1);
    return new Promise(() => {}); // never settles: the throw ends the call
  }
  if (mode === "slow") await new Promise((resolve) => setTimeout(resolve, 300));
  if (mode === "log") {
    console.log("hello from %s", context.functionName);
    console.error("a warning on stderr");
    process.stdout.write("a line without its end");
    writeSync(1, "straight to fd 1\n");
  }
  event.response = {
    runtime: "node esm",
    pid: process.pid,
    user: event.userName,
    functionName: context.functionName,
    invokedFunctionArn: context.invokedFunctionArn,
    awsRequestId: context.awsRequestId,
    remainingMillis: context.getRemainingTimeInMillis(),
  };
  return event;
};
