// The Node twin of account.py: one Lambda trigger function for every account-flow trigger, for
// tests/test_triggers_account.py and tests/test_triggers_messages.py. It appends each event it
// is given, as it came, as one JSON line to the file $ACCOUNT_TRIGGER_RECORD, then answers as the
// words of request.clientMetadata.script (comma-separated) tell it; without any, as a function
// that lets everything through (and words every message its own way).
import { appendFileSync } from "node:fs";

const RUNTIME = "node";

export const handler = async (event) => {
  const line = JSON.stringify({ runtime: RUNTIME, event });
  appendFileSync(process.env.ACCOUNT_TRIGGER_RECORD, `${line}\n`);
  const script = new Set((event.request.clientMetadata?.script ?? "").split(","));
  const source = event.triggerSource;
  if (source.startsWith("PreSignUp_")) {
    if (script.has("refuse")) throw new Error("sign-ups are closed");
    if (script.has("nothing")) return undefined;
    if (script.has("garbled")) return { ...event, response: "yes" };
    if (script.has("confirm")) event.response.autoConfirmUser = true;
    if (script.has("verify-email")) event.response.autoVerifyEmail = true;
    if (script.has("verify-phone")) event.response.autoVerifyPhone = true;
  } else if (source.startsWith("PostConfirmation_")) {
    if (script.has("fail")) throw new Error("the welcome mail bounced");
  } else if (source === "UserMigration_ForgotPassword") {
    if (script.has("refuse")) throw new Error("the old directory is down");
    // The old directory knows the names that start with "legacy-".
    if (event.userName.startsWith("legacy-")) {
      event.response.userAttributes = {
        email: `${event.userName}@legacy.example.com`,
        email_verified: "true",
      };
    }
  } else if (source.startsWith("CustomMessage_")) {
    if (script.has("silent")) return event;
    const code = script.has("lose-code") ? "(no code)" : event.request.codeParameter;
    const who = event.request.usernameParameter ?? event.userName;
    event.response.smsMessage = `${source} SMS from ${RUNTIME}: ${code} for ${who}`;
    event.response.emailSubject = `${source} subject from ${RUNTIME}`;
    event.response.emailMessage = `<p>${source} email from ${RUNTIME}: ${code} for ${who}</p>`;
  }
  return event;
};
