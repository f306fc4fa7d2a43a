"""The pool domains' endpoints (authorize, token, userInfo, revoke, logout) and the managed
login pages: what a browser or an OAuth client reaches at a pool's domain. `domains.py` says
which pool and domain a request is for; it drives the lower layers like any other caller."""
