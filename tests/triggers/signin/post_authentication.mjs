// PostAuthentication. modes.post: "throw" throws, "malformed" returns a string.
import { modes, record } from "./recording.mjs";

export const handler = async (event) => {
  record(event);
  const mode = modes(event).post;
  if (mode === "throw") throw new Error(`audit log refused ${event.userName}`);
  if (mode === "malformed") return "done";
  return event;
};
