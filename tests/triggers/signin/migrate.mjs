// UserMigration: the "legacy system" knows every name that starts with "legacy-", with the
// password LEGACY_PASSWORD; a wrong password is thrown as the AWS examples do. A name it does
// not know gets an answer without userAttributes. modes.migrate: "malformed" gives a status
// Cognito has not; "sms-mfa" a phone number and enableSMSMFA, "sms-mfa-no-phone" the latter
// alone.
import { modes, record } from "./recording.mjs";

const LEGACY_PASSWORD = "Legacy-Passw0rd!";

export const handler = async (event) => {
  record(event);
  if (!event.userName.startsWith("legacy-")) return event;
  if (event.request.password !== LEGACY_PASSWORD) throw new Error("Bad password");
  event.response.userAttributes = {
    email: `${event.userName}@legacy.example`,
    email_verified: "true",
    given_name: "Legacy",
  };
  event.response.finalUserStatus =
    modes(event).migrate === "malformed" ? "SOMEWHERE_ELSE" : "CONFIRMED";
  event.response.messageAction = "SUPPRESS";
  if (modes(event).migrate?.startsWith("sms-mfa")) event.response.enableSMSMFA = true;
  if (modes(event).migrate === "sms-mfa") event.response.userAttributes.phone_number = "+15550100123";
  return event;
};
