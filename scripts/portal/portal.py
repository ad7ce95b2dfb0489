#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
portal.py - a reference login portal for gate511, in python3's standard
library only. Copy it and make it yours.

    GET  /login?...signed redirect...  -> the terms page (or 403)
    POST /accept                       -> grant through the signed API, then
                                          303 to the page the client asked for

gate511d sends unauthenticated clients here with a signed redirect
(portal_sign_key in gate511.conf):

    /login?gw=GW&client=IP&mac=MAC&url=ORIGINAL_URL&ts=T&sig=S

S = hex HMAC-SHA256(portal_sign_key, the query string as sent up to "&sig=").
The portal trusts the client address and MAC only when S checks out and T is
recent, so a browser cannot ask for someone else's access. On "Accept" it
authorizes exactly that client with POST /v1/grants on gate511d's API, signed
with an API key (Authorization: G511-HMAC-SHA256 ...).

Example (the demo's):
    portal.py --listen 10.51.0.1:8080 --api http://127.0.0.1:9080 \\
        --api-key portal:$(cat api.secret) --sign-key $(cat sign.key)
"""
import argparse
import hashlib
import hmac
import html
import json
import secrets
import socket
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_AGE = 300           # seconds a signed redirect stays valid
MAX_FORM = 16384        # bytes of a POST body we read


class Refused(Exception):
    """A redirect that does not check out; the message says why."""


# ---- the two signatures (pure functions: the unit tests call these) ----

def verify_redirect(query, sign_key, now, gateway_id=None, max_age=MAX_AGE):
    """Check a signed redirect's raw query string; return its fields.

    query is the query exactly as sent (still percent-encoded): the
    signature covers its bytes up to the last "&sig=", the portal's own
    parameters (if portal_url had any) included.
    """
    head, sep, sig = query.rpartition("&sig=")
    if not sep:
        raise Refused("not a signed link (no sig)")
    want = hmac.new(sign_key, head.encode("ascii", "replace"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, sig.lower()):
        raise Refused("bad signature")
    f = dict(urllib.parse.parse_qsl(head, keep_blank_values=True))
    for k in ("gw", "client", "mac", "url", "ts"):
        if k not in f:
            raise Refused("no %s in the link" % k)
    if gateway_id is not None and f["gw"] != gateway_id:
        raise Refused("link from another gateway (%s)" % f["gw"])
    try:
        ts = int(f["ts"])
    except ValueError:
        raise Refused("bad ts")
    if abs(now - ts) > max_age:
        raise Refused("link expired: open any web page to get a fresh one")
    return f


def api_authorization(method, path, body, key_id, secret, now, nonce):
    """The Authorization header of a gate511 API request (issue 10 section 2):
    HMAC-SHA256 over METHOD, path and query, ts, nonce, SHA-256 of the body."""
    text = "\n".join([method, path, str(now), nonce, hashlib.sha256(body).hexdigest()])
    sig = hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()
    return "G511-HMAC-SHA256 keyid=%s, ts=%d, nonce=%s, sig=%s" % (key_id, now, nonce, sig)


def safe_next(url):
    """Only send the browser on to http(s) URLs (the signed one)."""
    return url if urllib.parse.urlsplit(url).scheme in ("http", "https") else ""


# ---- talking to gate511d ----

def grant(cfg, client, mac):
    """POST /v1/grants for client (bound to mac when known); returns the grant."""
    req = {"client": client, "ttl": cfg.ttl}
    if mac:
        req["mac"] = mac
    body = json.dumps(req).encode()
    u = urllib.parse.urlsplit(cfg.api)
    path = (u.path.rstrip("/") or "") + "/v1/grants"
    auth = api_authorization("POST", path, body, cfg.key_id, cfg.secret,
                             int(time.time()), secrets.token_hex(16))
    r = urllib.request.Request(cfg.api.rstrip("/") + "/v1/grants", data=body, method="POST",
                               headers={"Content-Type": "application/json",
                                        "Authorization": auth})
    ctx = ssl.create_default_context(cafile=cfg.api_ca) if cfg.api_ca else None
    with urllib.request.urlopen(r, timeout=10, context=ctx) as resp:
        return json.load(resp)


# ---- pages ----

STYLE = """<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
padding:20px;background:#eef2f7;color:#17202c;box-sizing:border-box;
font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{width:100%;max-width:30rem;padding:2rem 1.5rem;border-radius:1.25rem;background:#fff;
box-shadow:0 10px 30px rgba(23,45,90,.12)}
h1{margin:0 0 1rem;font-size:1.5rem}
.terms{max-height:14rem;overflow:auto;padding:.75rem 1rem;margin-bottom:1.5rem;
border:1px solid #d8dee8;border-radius:.75rem;font-size:.9rem;color:#4b5667}
button{width:100%;padding:.95rem;border:0;border-radius:.85rem;background:#1a5fd6;color:#fff;
font:inherit;font-weight:600;font-size:1.1rem;cursor:pointer}
.err{color:#a4202e}
</style>"""

TERMS = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Terms of use</title>%(style)s</head>
<body><main>
<h1>Terms of use</h1>
<div class="terms" id="terms">
<p>By using this network you agree to use it lawfully and considerately. Access is given
for %(hours)s and may be logged. No warranty is made about its availability.</p>
</div>
<form method="post" action="/accept">
<input type="hidden" name="q" value="%(q)s">
<button type="submit" id="accept">Accept and go online</button>
</form>
</main></body></html>
"""

MESSAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%(title)s</title>%(style)s</head>
<body><main><h1 id="title">%(title)s</h1><p class="%(cls)s">%(text)s</p></main></body></html>
"""


class Portal(BaseHTTPRequestHandler):
    cfg = None          # set by main()
    server_version = "gate511-portal/1"

    def send_page(self, code, page, headers=()):
        data = page.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def message(self, code, title, text, error=False):
        self.send_page(code, MESSAGE % {"title": html.escape(title), "text": html.escape(text),
                                        "cls": "err" if error else "", "style": STYLE})

    def check(self, query):
        c = self.cfg
        return verify_redirect(query, c.sign_key, int(time.time()), c.gateway_id)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path != "/login":
            return self.message(404, "Not found", "Nothing here.", True)
        try:
            self.check(query)
        except Refused as e:
            return self.message(403, "This link cannot be used", str(e), True)
        hours = "%g hour%s" % (self.cfg.ttl / 3600, "" if self.cfg.ttl == 3600 else "s")
        self.send_page(200, TERMS % {"q": html.escape(query), "hours": hours, "style": STYLE})

    def do_POST(self):
        if self.path != "/accept":
            return self.message(404, "Not found", "Nothing here.", True)
        n = int(self.headers.get("Content-Length") or 0)
        if n <= 0 or n > MAX_FORM:
            return self.message(413, "Too large", "The form is too large.", True)
        form = urllib.parse.parse_qs(self.rfile.read(n).decode("ascii", "replace"))
        try:
            # The hidden field carries the signed query: checked again here,
            # since anything the browser posts may have been changed.
            f = self.check(form.get("q", [""])[0])
        except Refused as e:
            return self.message(403, "This link cannot be used", str(e), True)
        try:
            grant(self.cfg, f["client"], f["mac"])
        except (urllib.error.URLError, OSError, ValueError) as e:
            detail = e.read().decode(errors="replace") if hasattr(e, "read") else str(e)
            self.log_error("grant for %s failed: %s", f["client"], detail)
            return self.message(502, "Login failed", "The network did not accept the login; "
                                "please try again in a moment.", True)
        nxt = safe_next(f["url"])
        if nxt:
            return self.send_page(303, "", [("Location", nxt)])
        self.message(200, "You are online", "You can now use the network.")


def hex_key(s, what):
    try:
        k = bytes.fromhex(s)
    except ValueError:
        k = b""
    if len(k) != 32:
        raise SystemExit("portal.py: %s must be 64 hex digits" % what)
    return k


def main(argv=None):
    ap = argparse.ArgumentParser(description="gate511 reference login portal")
    ap.add_argument("--listen", default="127.0.0.1:8080", help="ADDR:PORT to serve on")
    ap.add_argument("--api", required=True, help="gate511d API base URL (api_listen)")
    ap.add_argument("--api-key", required=True, help="KEYID:SECRET (64 hex digits)")
    ap.add_argument("--api-ca", help="CA file for an https API (default: system CAs)")
    ap.add_argument("--sign-key", required=True, help="portal_sign_key (64 hex digits)")
    ap.add_argument("--gateway-id", help="accept links from this gateway only")
    ap.add_argument("--ttl", type=int, default=3600, help="grant lifetime, seconds")
    cfg = ap.parse_args(argv)
    cfg.key_id, _, secret = cfg.api_key.partition(":")
    cfg.secret = hex_key(secret, "the API key's secret")
    cfg.sign_key = hex_key(cfg.sign_key, "--sign-key")
    host, _, port = cfg.listen.rpartition(":")
    Portal.cfg = cfg
    host = host.strip("[]")
    if ":" in host:                     # an IPv6 listen address
        ThreadingHTTPServer.address_family = socket.AF_INET6
    srv = ThreadingHTTPServer((host, int(port)), Portal)
    print("portal: listening on http://%s/login, API %s" % (cfg.listen, cfg.api), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
