"""The one script of the managed login pages: signing in with a passkey needs the browser's
WebAuthn API (navigator.credentials.get), which only a script can call. It is served inline
with the page, from the page's own origin (no CDN, no file of another origin), and the
page's Content-Security-Policy allows exactly this text by its SHA-256 (`SOURCE`): no other
script, inline or fetched, can run there.

What it does:
- on any page, shows the elements marked `data-webauthn` (the "Sign in with a passkey"
  choice, hidden in the HTML) where the browser has WebAuthn: without JavaScript, or without
  WebAuthn, that choice is not offered and the others still are;
- on the passkey page, reads the challenge's CREDENTIAL_REQUEST_OPTIONS from the JSON data
  block `#passkey-options` (data, not code), asks the browser for an assertion when the page
  opens and whenever its form is sent, and sends the form with the assertion as an
  AuthenticationResponseJSON in its `credential` field (WebAuthn Level 3's JSON form, as
  Amplify and py_webauthn read it). A refusal (cancelled, timed out, no passkey here, an RP
  id this page's address may not use) is shown in words, and the form can be sent again."""

from __future__ import annotations

import base64
import hashlib

OPTIONS_ID = "passkey-options"
STATUS_ID = "passkey-status"

SOURCE = """(() => {
  const able = !!(window.PublicKeyCredential && navigator.credentials);
  if (able) {
    for (const element of document.querySelectorAll("[data-webauthn]")) element.hidden = false;
  }
  const data = document.getElementById("passkey-options");
  const status = document.getElementById("passkey-status");
  const form = data && data.closest("form");
  if (!form || !status) return;
  const bytes = (text) => Uint8Array.from(
    atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const text = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const say = (message) => { status.textContent = message; status.hidden = false; };
  const reasons = {
    NotAllowedError: "The passkey request was cancelled or timed out, or this device has " +
      "no passkey for this account.",
    SecurityError: "This page's address may not use this account's passkeys.",
  };
  let busy = false;
  const ask = async () => {
    if (busy) return;
    if (!able) { say("This browser cannot use passkeys."); return; }
    busy = true;
    try {
      const options = JSON.parse(data.textContent);
      const publicKey = {
        challenge: bytes(options.challenge),
        timeout: options.timeout,
        userVerification: options.userVerification,
        allowCredentials: (options.allowCredentials || []).map(
          (allowed) => ({ type: allowed.type, id: bytes(allowed.id) })),
      };
      if (options.rpId) publicKey.rpId = options.rpId;
      const credential = await navigator.credentials.get({ publicKey });
      const response = credential.response;
      const answer = {
        id: credential.id,
        rawId: text(credential.rawId),
        type: credential.type,
        response: {
          clientDataJSON: text(response.clientDataJSON),
          authenticatorData: text(response.authenticatorData),
          signature: text(response.signature),
        },
        clientExtensionResults: credential.getClientExtensionResults(),
      };
      if (response.userHandle) answer.response.userHandle = text(response.userHandle);
      if (credential.authenticatorAttachment) {
        answer.authenticatorAttachment = credential.authenticatorAttachment;
      }
      form.elements.credential.value = JSON.stringify(answer);
      form.submit();
    } catch (error) {
      const name = error && error.name;
      say((reasons[name] || "The passkey could not be used (" + (name || error) + ").") +
        " Try again, or choose another way to sign in.");
    } finally {
      busy = false;
    }
  };
  form.addEventListener("submit", (event) => {
    if (form.elements.credential.value) return;
    event.preventDefault();
    ask();
  });
  ask();
})();"""

HASH = base64.b64encode(hashlib.sha256(SOURCE.encode()).digest()).decode()
CSP_SOURCE = f"'sha256-{HASH}'"
