// What the MFA scripts share: TOTP codes computed with node:crypto as an authenticator app
// computes them (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps), and SMS / email codes read
// back from the server's outbox (GET /_userpool/outbox, served with --dev-endpoints).

import { createHmac } from "node:crypto";

const STEP = 30;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32Decode(text) {
  let bits = "";
  for (const char of text.replace(/=+$/, "")) {
    const value = ALPHABET.indexOf(char.toUpperCase());
    if (value < 0) throw new Error(`not base32: ${text}`);
    bits += value.toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The code an authenticator shows now for `secret`, or `steps` periods later / earlier. */
export function totp(secret, steps = 0) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / STEP) + steps));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** Wait out the last two seconds of a period, so a code computed next is the server's step. */
export async function awayFromStepEdge() {
  const left = STEP - ((Date.now() / 1000) % STEP);
  if (left < 2) await new Promise((resolve) => setTimeout(resolve, (left + 0.1) * 1000));
}

/** The code of the last message the server sent to `username` in `poolId`. */
export async function sentCode(endpoint, poolId, username) {
  const url = new URL("/_userpool/outbox", endpoint);
  url.search = new URLSearchParams({ pool: poolId, user: username }).toString();
  const response = await fetch(url);
  if (!response.ok) throw new Error(`outbox: HTTP ${response.status}`);
  const { messages } = await response.json();
  if (messages.length === 0) throw new Error(`nothing was sent to ${username}`);
  return messages[messages.length - 1].code;
}
