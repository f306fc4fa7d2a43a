"""The managed login pages as plain HTML: labelled fields, a little inline CSS, and no
JavaScript but the passkey's (oauth/passkey_script.py), which a page carries only where a
passkey may be chosen, and which its Content-Security-Policy allows by hash alone. Every value
put into a page goes through `escape` (the one way in), so nothing a request carries is ever
markup. Pages are never cached or framed (Cache-Control: no-store, frame-ancestors 'none',
X-Frame-Options: DENY: a framed login form invites clickjacking)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape

from starlette.responses import HTMLResponse

from userpool.oauth import passkey_script
from userpool.oauth.domains import DomainRequest

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # No form-action: the answer to a sign-in redirects to the app (another origin).
    "Content-Security-Policy": CSP,
}
# A page with the passkey script: that script, known by its hash, and no other.
SCRIPT_HEADERS = {
    **HEADERS,
    "Content-Security-Policy": f"{CSP}; script-src {passkey_script.CSP_SOURCE}",
}
STYLE = """
body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:2rem 1rem}
main{max-width:24rem;margin:auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;
box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input[type=text],input[type=password],input[type=email]{width:100%;box-sizing:border-box;
padding:.5rem;font-size:1rem;border:1px solid #888;border-radius:4px}
button{margin-top:1.2rem;width:100%;padding:.6rem;font-size:1rem;background:#0b5cad;
color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{background:#fde8e8;color:#8a1010;padding:.6rem;border-radius:4px}
button.other{background:#fff;color:#0b5cad;border:1px solid #0b5cad}
.choice{font-weight:400}.choice input{margin-right:.4rem}
.secret{font-family:monospace;word-break:break-all}svg{display:block;margin:1rem auto}
nav{margin-top:1rem;font-size:.9rem}
"""


def _document(title: str, body: str, script: bool) -> str:
    code = f"<script>{passkey_script.SOURCE}</script>" if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}</main>{code}</body></html>"
    )


def response(
    title: str,
    body: str,
    status: int = 200,
    cookie_headers: Iterable[str] = (),
    *,
    script: bool = False,
) -> HTMLResponse:
    """`script`: the page carries the passkey script (and a policy that lets it run)."""
    headers = SCRIPT_HEADERS if script else HEADERS
    page = HTMLResponse(_document(title, body, script), status_code=status, headers=headers)
    for header in cookie_headers:
        page.headers.append("set-cookie", header)
    return page


def error_block(message: str | None) -> str:
    if not message:
        return ""
    return f'<p class="error" role="alert">{escape(message)}</p>'


def error_page(found: DomainRequest | None, message: str, status: int = 400) -> HTMLResponse:
    """A problem shown in words (Cognito's managed login shows its errors on a page too)."""
    del found  # the same page on every domain
    body = f"{error_block(message)}<p>An error was encountered with the requested page.</p>"
    return response("Something went wrong", body, status)


def hidden(values: Mapping[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in values.items()
    )


def text_field(
    name: str,
    label: str,
    *,
    kind: str = "text",
    value: str = "",
    autocomplete: str = "off",
    extra: str = "",
) -> str:
    ident = f"f-{escape(name)}"
    shown = f' value="{escape(value)}"' if value and kind != "password" else ""
    return (
        f'<label for="{ident}">{escape(label)}</label>'
        f'<input id="{ident}" type="{kind}" name="{escape(name)}"{shown} required '
        f'autocomplete="{escape(autocomplete)}"{extra}>'
    )


def choices(name: str, label: str, options: Iterable[tuple[str, str]]) -> str:
    items = "".join(
        f'<label class="choice"><input type="radio" name="{escape(name)}" '
        f'value="{escape(value)}" required>{escape(text)}</label>'
        for value, text in options
    )
    return f"<fieldset><legend>{escape(label)}</legend>{items}</fieldset>"


@dataclass(frozen=True)
class Form:
    """A managed-login form: where it posts, its visible fields (already HTML, made by the
    helpers above), its hidden values (the authorize parameters, the step's session), the
    CSRF token, the button (none when empty: the fields hold their own), and an error to show
    above it; `script`: the page needs the passkey script."""

    title: str
    action: str
    fields: str
    hidden: Mapping[str, str]
    csrf: str
    button: str = "Sign in"
    error: str | None = None
    intro: str = ""  # HTML, escaped by its maker
    links: Mapping[str, str] = field(default_factory=dict)  # text -> URL
    script: bool = False

    def html(self) -> str:
        links = "".join(
            f'<a href="{escape(url)}">{escape(text)}</a> ' for text, url in self.links.items()
        )
        return (
            f"{error_block(self.error)}{self.intro}"
            f'<form method="post" action="{escape(self.action)}">'
            f"{hidden({**self.hidden, '_csrf': self.csrf})}{self.fields}"
            + (f'<button type="submit">{escape(self.button)}</button>' if self.button else "")
            + "</form>"
            + (f"<nav>{links}</nav>" if links else "")
        )


def form_page(form: Form, status: int = 200, cookie_headers: Iterable[str] = ()) -> HTMLResponse:
    return response(form.title, form.html(), status, cookie_headers, script=form.script)
