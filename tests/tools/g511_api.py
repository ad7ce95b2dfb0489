#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""g511_api.py - a client for gate511d's signed portal API (stdlib only).

It is the reference for portal authors: sign() is the whole scheme.

  Authorization: G511-HMAC-SHA256 keyid=K, ts=T, nonce=N, sig=S
  S = hex(HMAC-SHA256(secret, METHOD "\\n" PATH_AND_QUERY "\\n" T "\\n" N "\\n"
                                hex(SHA-256(body))))

As a module:
    api = Api("https://gw.example:8443", "portal-1", bytes.fromhex(HEX), cafile="ca.pem")
    status, reply = api.call("POST", "/v1/grants", {"client": "10.0.0.5", "ttl": 3600})

As a command (the tests use it):
    g511_api.py [--url URL] [--key ID:HEX] [--cafile F] [--cert F --certkey F]
                [--ts T] [--nonce N] [--bad-sig] [--no-auth] [--header H]
                [--source ADDR] [--body TEXT | --body-size N] [--timeout S] [-s]
                METHOD PATH [JSON]
prints the HTTP status on the first line, then the body (-s: status only).
URL and key default to $G511_API_URL and $G511_API_KEY.
"""
import argparse
import hashlib
import hmac
import http.client
import json
import os
import secrets
import ssl
import sys
import time
import urllib.parse

SCHEME = "G511-HMAC-SHA256"


def sign(keyid, secret, method, target, body, ts=None, nonce=None):
    """The Authorization header value for one request.

    target is the path and query exactly as sent; body the bytes sent."""
    ts = int(time.time()) if ts is None else ts
    nonce = secrets.token_hex(16) if nonce is None else nonce
    text = "\n".join([method, target, str(ts), nonce, hashlib.sha256(body).hexdigest()])
    sig = hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()
    return f"{SCHEME} keyid={keyid}, ts={ts}, nonce={nonce}, sig={sig}"


class Api:
    def __init__(self, url, keyid=None, secret=None, cafile=None, cert=None, certkey=None,
                 source=None, timeout=10):
        u = urllib.parse.urlsplit(url)
        self.https = u.scheme == "https"
        self.host, self.port = u.hostname, u.port or (443 if self.https else 80)
        self.keyid, self.secret = keyid, secret
        self.timeout, self.source = timeout, source
        self.ctx = None
        if self.https:
            self.ctx = ssl.create_default_context(cafile=cafile)
            if cert:
                self.ctx.load_cert_chain(cert, certkey)

    def raw(self, method, target, body=b"", header=None, auth=True, ts=None, nonce=None,
            bad_sig=False):
        headers = {"Content-Type": "application/json"}
        if header is not None:
            headers["Authorization"] = header
        elif auth and self.secret is not None:
            h = sign(self.keyid, self.secret, method, target, body, ts, nonce)
            if bad_sig:  # flip the last hex digit
                h = h[:-1] + ("0" if h[-1] != "0" else "1")
            headers["Authorization"] = h
        src = (self.source, 0) if self.source else None
        if self.https:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                               context=self.ctx, source_address=src)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout,
                                              source_address=src)
        try:
            conn.request(method, target, body=body if body or method in ("POST", "PUT") else None,
                         headers=headers)
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def call(self, method, target, obj=None):
        body = b"" if obj is None else json.dumps(obj).encode()
        status, data = self.raw(method, target, body)
        try:
            return status, json.loads(data) if data else None
        except ValueError:
            return status, data.decode(errors="replace")


def main():
    p = argparse.ArgumentParser(description="gate511d portal API client")
    p.add_argument("--url", default=os.environ.get("G511_API_URL", "http://127.0.0.1:8511"))
    p.add_argument("--key", default=os.environ.get("G511_API_KEY"), help="KEYID:HEX")
    p.add_argument("--cafile")
    p.add_argument("--cert")
    p.add_argument("--certkey")
    p.add_argument("--source", help="source address to connect from")
    p.add_argument("--ts", type=int)
    p.add_argument("--nonce")
    p.add_argument("--bad-sig", action="store_true")
    p.add_argument("--no-auth", action="store_true")
    p.add_argument("--header", help="Authorization header value as is")
    p.add_argument("--body", help="body text as is (instead of JSON)")
    p.add_argument("--body-size", type=int, help="a body of N bytes of JSON padding")
    p.add_argument("--timeout", type=float, default=10.0,
                   help="seconds (a POST /v1/login may take radius_timeout x (1 + retries) x servers)")
    p.add_argument("-s", "--status-only", action="store_true")
    p.add_argument("method")
    p.add_argument("path")
    p.add_argument("json", nargs="?")
    a = p.parse_args()
    keyid = secret = None
    if a.key:
        keyid, hexkey = a.key.split(":", 1)
        secret = bytes.fromhex(hexkey)
    api = Api(a.url, keyid, secret, a.cafile, a.cert, a.certkey, a.source, timeout=a.timeout)
    if a.body is not None:
        body = a.body.encode()
    elif a.body_size is not None:
        pad = max(a.body_size - 30, 0)
        body = ('{"client": "10.0.0.5", "x":"' + "a" * pad + '"}').encode()
    else:
        body = a.json.encode() if a.json else b""
    try:
        status, data = api.raw(a.method, a.path, body, header=a.header, auth=not a.no_auth,
                               ts=a.ts, nonce=a.nonce, bad_sig=a.bad_sig)
    except (OSError, http.client.HTTPException) as e:
        print("000")
        print(f"g511_api.py: {e}", file=sys.stderr)
        return 1
    print(status)
    if not a.status_only:
        sys.stdout.write(data.decode(errors="replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
