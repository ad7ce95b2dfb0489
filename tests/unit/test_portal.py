#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
test_portal.py - the reference login portal (scripts/portal/portal.py):
its check of the signed redirect against a link signed by gate511's C code
(test_portal_url.c's vector), tampered, stale, foreign and unsigned links,
the API request signature, and the whole GET -> terms -> POST accept ->
signed POST /v1/grants -> 303 exchange against a fake API on loopback.
Prints the RESULT line tests/run.sh adds up.
"""
import hashlib
import hmac
import json
import os
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts", "portal"))
import portal  # noqa: E402

KEY = bytes(range(32))
# test_portal_url.c: portal_url_sign("https://portal.example/login", "box-1",
# 10.0.0.5, 02:00:00:00:00:05, "http://example.com/a?b=1", 1700000000, KEY)
Q1 = ("gw=box-1&client=10.0.0.5&mac=02%3A00%3A00%3A00%3A00%3A05"
      "&url=http%3A%2F%2Fexample.com%2Fa%3Fb%3D1&ts=1700000000"
      "&sig=d55301cc47d7937cf5fe4da6ab62ac1bac10ef22cafe7ba3473e41b4514f54fc")
T1 = 1700000000
passed = failed = 0


def case(name, fn):
    global passed, failed
    try:
        fn()
        print("ok   " + name)
        passed += 1
    except Exception as e:      # an assert or anything unexpected
        print("FAIL %s: %r" % (name, e))
        failed += 1


def refused(query, why, **kw):
    try:
        portal.verify_redirect(query, KEY, kw.pop("now", T1), **kw)
    except portal.Refused as e:
        assert why in str(e), (why, str(e))
        return
    raise AssertionError("accepted: " + query)


def t_good():
    f = portal.verify_redirect(Q1, KEY, T1 + 299, gateway_id="box-1")
    assert f == {"gw": "box-1", "client": "10.0.0.5", "mac": "02:00:00:00:00:05",
                 "url": "http://example.com/a?b=1", "ts": "1700000000"}, f


def t_bad():
    refused(Q1.replace("10.0.0.5", "10.0.0.6"), "bad signature")
    refused(Q1.replace("&sig=d5", "&sig=d6"), "bad signature")
    refused(Q1 + "&client=10.0.0.9", "bad signature")
    refused(Q1.rpartition("&sig=")[0], "no sig")
    refused(Q1, "expired", now=T1 + 301)
    refused(Q1, "expired", now=T1 - 301)
    refused(Q1, "another gateway", gateway_id="box-2")
    # a well-signed link without the fields
    head = "gw=box-1&client=10.0.0.5&ts=1700000000"
    sig = hmac.new(KEY, head.encode(), hashlib.sha256).hexdigest()
    refused(head + "&sig=" + sig, "no mac")


def t_api_sig():
    # python3 -c "import hmac,hashlib;print(hmac.new(bytes(range(32)),
    #   b'POST\n/v1/grants\n1700000000\n00112233445566778899aabbccddeeff\n'
    #   + hashlib.sha256(b'{}').hexdigest().encode(),hashlib.sha256).hexdigest())"
    got = portal.api_authorization("POST", "/v1/grants", b"{}", "k1", KEY, T1,
                                   "00112233445566778899aabbccddeeff")
    assert got == ("G511-HMAC-SHA256 keyid=k1, ts=1700000000, "
                   "nonce=00112233445566778899aabbccddeeff, "
                   "sig=" + API_SIG), got


def t_safe_next():
    assert portal.safe_next("http://a/b") == "http://a/b"
    assert portal.safe_next("javascript:alert(1)") == ""
    assert portal.safe_next("//evil/") == ""


class FakeApi(BaseHTTPRequestHandler):
    seen = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        auth = self.headers.get("Authorization", "")
        p = dict(kv.split("=", 1) for kv in auth.split(" ", 1)[1].split(", "))
        text = "\n".join(["POST", self.path, p["ts"], p["nonce"],
                          hashlib.sha256(body).hexdigest()])
        ok = hmac.compare_digest(p["sig"], hmac.new(KEY, text.encode(),
                                                    hashlib.sha256).hexdigest())
        FakeApi.seen.append((self.path, json.loads(body), ok, p["keyid"]))
        out = json.dumps({"client": "x"}).encode()
        self.send_response(201 if ok else 401)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *a):
        pass


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **kw):
        return None


def serve(handler):
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def t_flow():
    import time
    api = serve(FakeApi)
    cfg = type("Cfg", (), {})()
    cfg.api = "http://127.0.0.1:%d" % api.server_address[1]
    cfg.api_ca, cfg.key_id, cfg.secret, cfg.sign_key = None, "k1", KEY, KEY
    cfg.gateway_id, cfg.ttl = "box-1", 600
    portal.Portal.cfg = cfg
    portal.Portal.log_message = lambda *a: None
    web = serve(portal.Portal)
    base = "http://127.0.0.1:%d" % web.server_address[1]
    now = int(time.time())
    head = ("gw=box-1&client=10.51.0.2&mac=02%3Aaa%3Abb%3Acc%3Add%3Aee"
            "&url=http%3A%2F%2F10.52.0.2%2Fnews&ts=" + str(now))
    q = head + "&sig=" + hmac.new(KEY, head.encode(), hashlib.sha256).hexdigest()
    try:
        page = urllib.request.urlopen(base + "/login?" + q, timeout=5).read().decode()
        assert 'id="accept"' in page and 'name="q"' in page, page
        try:
            urllib.request.urlopen(base + "/login?" + q.replace("10.51.0.2", "10.51.0.3"),
                                   timeout=5)
            raise AssertionError("tampered link accepted")
        except urllib.error.HTTPError as e:
            assert e.code == 403, e.code
        opener = urllib.request.build_opener(NoRedirect)
        form = urllib.parse.urlencode({"q": q}).encode()
        try:
            opener.open(base + "/accept", data=form, timeout=5)
            raise AssertionError("no redirect")
        except urllib.error.HTTPError as e:
            assert e.code == 303, e.code
            assert e.headers["Location"] == "http://10.52.0.2/news", e.headers["Location"]
        assert FakeApi.seen == [("/v1/grants", {"client": "10.51.0.2", "ttl": 600,
                                                "mac": "02:aa:bb:cc:dd:ee"}, True, "k1")], \
            FakeApi.seen
        # a forged POST (client changed in the hidden field) grants nothing
        form = urllib.parse.urlencode({"q": q.replace("10.51.0.2", "10.51.0.3")}).encode()
        try:
            opener.open(base + "/accept", data=form, timeout=5)
            raise AssertionError("forged accept passed")
        except urllib.error.HTTPError as e:
            assert e.code == 403, e.code
        assert len(FakeApi.seen) == 1, FakeApi.seen
    finally:
        web.shutdown()
        api.shutdown()


API_SIG = "609bb0138b2c785024991c6bb8c4968630af8e7f957462af64f5a19ea3a6a95c"  # the one-liner in t_api_sig

case("portal_good_link", t_good)
case("portal_bad_links", t_bad)
case("portal_api_signature", t_api_sig)
case("portal_safe_next", t_safe_next)
case("portal_flow", t_flow)
print("RESULT: %d passed, %d failed, 0 skipped" % (passed, failed))
sys.exit(1 if failed else 0)
