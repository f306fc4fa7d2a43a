"""The console's markup, built from escaped pieces only.

`Html` is markup this module made; anything else put into a page (a pool's name, a user's
attributes, a message body: all of it chosen by whoever calls the API) is escaped on the way
in by `el`, the one way a page is built, so no stored value ever becomes markup. The style is
inline and allowed by its hash alone: no script, no style attribute, nothing from elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from urllib.parse import quote, urlencode

from starlette.responses import HTMLResponse

ROOT = "/console"
# Text #1a1a1a and links #0b5cad on white (16.9:1, 6.4:1); the focus ring #b45309 is 5:1
# against white and the header's #eef1f4, past WCAG's 3:1 for a non-text indicator.
STYLE = """
body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff;margin:0}
a{color:#0b5cad}a:hover{text-decoration-thickness:2px}
a:focus-visible,input:focus-visible,button:focus-visible{outline:3px solid #b45309;
outline-offset:2px}
.skip{position:absolute;left:-100vw}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem}
header{background:#eef1f4;border-bottom:1px solid #c8ccd0;padding:.5rem 1rem}
header nav ul{display:flex;flex-wrap:wrap;gap:1.2rem;list-style:none;margin:0;padding:0}
header .brand{font-weight:700;color:#1a1a1a}
main{padding:0 1rem 2rem;max-width:72rem}
.crumbs ol{list-style:none;padding:0;margin:.8rem 0 0;display:flex;flex-wrap:wrap;gap:.4rem}
.crumbs li+li::before{content:"/" / "";margin-right:.4rem;color:#555}
table{border-collapse:collapse;margin:.4rem 0 1.4rem}
caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{border:1px solid #c8ccd0;padding:.3rem .6rem;text-align:left;vertical-align:top;
overflow-wrap:break-word}
thead th,tbody th{background:#f4f6f8}
form{margin:.8rem 0 1.2rem}label{font-weight:600;margin-right:.5rem}
input[type=search]{font:inherit;padding:.3rem .5rem;border:1px solid #6b7280;border-radius:4px;
min-width:18rem}
button{font:inherit;padding:.3rem .9rem;margin-left:.4rem;background:#0b5cad;color:#fff;
border:1px solid #0b5cad;border-radius:4px;cursor:pointer}
code,.mono{font-family:ui-monospace,monospace;white-space:nowrap}
.code{font-weight:700;font-size:1.1rem}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
pre{white-space:pre-wrap;margin:0;font:inherit}
.note{color:#444}
"""
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",  # pages show codes: kept by no cache
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class Html(str):
    """Markup made here: put into a page as it is. Any other str is text, escaped."""


Child = Html | str | int | float | None
Cell = Child | Sequence[Child]


def text(value: Child) -> Html:
    """`value` as markup: Html as it is, anything else escaped, None as nothing."""
    if isinstance(value, Html):
        return value
    return Html("" if value is None else escape(str(value), quote=True))


def join(children: Iterable[Child], separator: str = "") -> Html:
    return Html(escape(separator).join(text(child) for child in children))


def el(tag: str, *children: Child, **attributes: str | None) -> Html:
    """<tag attributes>children</tag>; `class_` is `class`, `aria_label` is `aria-label`;
    an attribute given None is left out."""
    attrs = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(value, quote=True)}"'
        for name, value in attributes.items()
        if value is not None
    )
    return Html(f"<{tag}{attrs}>{join(children)}</{tag}>")


def void(tag: str, **attributes: str | None) -> Html:
    """An element without content (<input>, <meta>)."""
    return Html(el(tag, **attributes).removesuffix(f"</{tag}>"))


def href(*segments: str, **query: str | int | None) -> str:
    """/console/segments..., each segment percent-encoded (a `/` in one too), and the query
    parameters given a value."""
    path = "/".join([ROOT, *(quote(segment, safe="") for segment in segments)])
    params = {name: str(value) for name, value in query.items() if value not in (None, "")}
    return f"{path}?{urlencode(params)}" if params else path


def link(target: str, *children: Child, current: bool = False) -> Html:
    return el("a", *children, href=target, aria_current="page" if current else None)


def when(moment: float | None) -> Html:
    """A time in UTC, readable and machine-readable."""
    if moment is None:
        return text("—")
    stamp = time.gmtime(moment)
    return el(
        "time",
        time.strftime("%Y-%m-%d %H:%M:%S UTC", stamp),
        datetime=time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp),
    )


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _caption(caption: str, shown: bool) -> Html:
    return el("caption", caption, class_=None if shown else "sr")


def _cell(tag: str, value: Cell, scope: str | None = None) -> Html:
    children = value if isinstance(value, list | tuple) else (value,)
    return el(tag, *children, scope=scope)


def table(
    caption: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    row_headers: bool,
    empty: str | None = None,
    shown: bool = False,
) -> Html:
    """A data table: column headers with scope="col" and, with `row_headers`, each row's
    first cell a header for its row. An empty table is a sentence instead (`empty`). The
    caption names the table for assistive technology; `shown`: on screen too (where the
    section's heading does not already say it)."""
    body = [
        el(
            "tr",
            *(
                _cell("th", cell, "row") if row_headers and i == 0 else _cell("td", cell)
                for i, cell in enumerate(row)
            ),
        )
        for row in rows
    ]
    if not body:
        return el("p", empty or f"{caption}: none.", class_="note")
    head = el("thead", el("tr", *(el("th", name, scope="col") for name in headers)))
    return el("table", _caption(caption, shown), head, el("tbody", *body))


def facts(caption: str, pairs: Iterable[tuple[str, Cell]]) -> Html:
    """A two-column table of named values, each name the header of its row."""
    rows = [el("tr", el("th", name, scope="row"), _cell("td", value)) for name, value in pairs]
    return el("table", _caption(caption, shown=False), el("tbody", *rows))


def section(heading: str, *children: Child, level: int = 2) -> Html:
    ident = "s-" + "-".join(heading.lower().split())
    return el("section", el(f"h{level}", heading, id=ident), *children, aria_labelledby=ident)


def search_form(action: str, label: str, name: str, value: str | None, **hidden: str) -> Html:
    """A GET form with one labelled search field."""
    field_id = f"search-{name}"
    kept = [void("input", type="hidden", name=key, value=val) for key, val in hidden.items()]
    return el(
        "form",
        el("label", label, for_=field_id),
        void("input", type="search", id=field_id, name=name, value=value or ""),
        *kept,
        el("button", "Search", type="submit"),
        role="search",
        action=action,
        method="get",
    )


def page(
    title: str,
    crumbs: Sequence[tuple[str, str]],
    *body: Child,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A whole page: a skip link, the console's navigation, breadcrumbs (label, href; the
    last is this page), one h1 and `body`."""
    nav = el(
        "nav",
        el(
            "ul",
            el("li", "userpool console", class_="brand"),
            el("li", link(href(), "Pools")),
            el("li", link(href("outbox"), "Outbox")),
        ),
        aria_label="Console",
    )
    trail = [
        el("li", link(target, label, current=i == len(crumbs) - 1))
        for i, (label, target) in enumerate(crumbs)
    ]
    breadcrumbs = el("nav", el("ol", *trail), class_="crumbs", aria_label="Breadcrumb")
    document = join(
        [
            Html("<!DOCTYPE html>\n"),
            Html('<html lang="en"><head><meta charset="utf-8">'),
            Html('<meta name="viewport" content="width=device-width, initial-scale=1">'),
            el("title", f"{title} · userpool console"),
            el("style", Html(STYLE)),
            Html("</head><body>"),
            el("a", "Skip to content", href="#main", class_="skip"),
            el("header", nav),
            el("main", breadcrumbs if crumbs else None, el("h1", title), *body, id="main"),
            Html("</body></html>"),
        ]
    )
    return HTMLResponse(document, status_code=status, headers={**HEADERS, **(headers or {})})


def not_found(what: str) -> HTMLResponse:
    return page("Not found", [("Pools", href())], el("p", what), status=404)
