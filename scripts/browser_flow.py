#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
browser_flow.py - the captive-portal login as a person on a phone does it, in
headless Chromium (Debian chromium + chromium-driver + python3-selenium).
Run it inside the client's network namespace:

    nsenter --net=/run/netns/CLIENT scripts/browser_flow.py \\
        --url http://10.52.0.2/news --out DIR [--expect TEXT] [--until portal]

Steps, each with a screenshot in DIR:
  1-511.png     the page asked for shows gate511's 511 page (its login button)
  2-portal.png  following the button opens the login portal's terms page
  3-online.png  after "Accept" the page first asked for loads (TEXT in it)
--until portal stops after step 2. Prints one line per step:
"STEP name ok|FAIL file-or-reason"; exits 0 when every step asked for passed.
Every wait is bounded; chromedriver and chromium are stopped by PID.
"""
import argparse
import os
import shutil
import signal
import sys
import tempfile

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 20   # seconds any one step may take


def descendants(pid):
    """PIDs of pid's children, grandchildren... (from /proc)."""
    out, todo = [], [pid]
    while todo and len(out) < 256:
        p = todo.pop()
        try:
            with open("/proc/%d/task/%d/children" % (p, p)) as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            kids = []
        out += kids
        todo += kids
    return out


def on_term(signum, frame):
    raise SystemExit(128 + signum)     # run the cleanup in main()


def step(name, ok, what):
    print("STEP %s %s %s" % (name, "ok" if ok else "FAIL", what), flush=True)
    return ok


def run(drv, a):
    shot = lambda n: (drv.save_screenshot(os.path.join(a.out, n)), os.path.join(a.out, n))[1]
    wait = WebDriverWait(drv, WAIT)

    # 1. The page asked for: the gateway answers with its 511 page.
    drv.get(a.url)
    try:
        btn = wait.until(lambda d: d.execute_script("return document.readyState") == "complete"
                         and d.find_element(By.CSS_SELECTOR, "a.btn"))
    except WebDriverException:
        shot("1-511.png")
        return step("511", False, "no login button on %s (title %r)" % (a.url, drv.title))
    src = drv.page_source
    if not step("511", "Log in to the network" in src and drv.current_url == a.url,
                shot("1-511.png")):
        return False
    href = btn.get_attribute("href")

    # 2. Follow the button to the portal's terms page. (The 511 page also
    # moves on by itself after a few seconds: either way we land there.)
    if "/login" not in drv.current_url:
        btn.click()
    try:
        accept = wait.until(lambda d: d.execute_script("return document.readyState") ==
                            "complete" and d.find_element(By.ID, "accept"))
    except WebDriverException:
        shot("2-portal.png")
        return step("portal", False, "no Accept button at %s: %r" %
                    (drv.current_url, drv.find_element(By.TAG_NAME, "body").text[:200]))
    if not step("portal", drv.current_url == href and "sig=" in href, shot("2-portal.png")):
        return False
    if a.until == "portal":
        return True

    # 3. Accept: the portal authorizes us and sends us back to the page.
    accept.click()
    try:
        wait.until(lambda d: d.current_url == a.url and a.expect in d.page_source and
                   d.execute_script("return document.readyState") == "complete")
    except WebDriverException:
        shot("3-online.png")
        return step("online", False, "at %s: %r" %
                    (drv.current_url, drv.find_element(By.TAG_NAME, "body").text[:200]))
    return step("online", True, shot("3-online.png"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--url", required=True, help="an upstream http:// page")
    ap.add_argument("--out", required=True, help="directory for the screenshots")
    ap.add_argument("--expect", default="", help="text the page shows once online")
    ap.add_argument("--until", choices=("portal", "online"), default="online")
    ap.add_argument("--size", default="390,844", help="window WIDTH,HEIGHT (a phone)")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, on_term)
    os.makedirs(a.out, exist_ok=True)

    prof = tempfile.mkdtemp(prefix="g511-chromium.")
    opt = webdriver.ChromeOptions()
    opt.binary_location = "/usr/bin/chromium"
    # "none": get() returns at once and the waits below decide. With the
    # default strategy chromedriver hangs on its first tab in a namespace
    # that has a default route but no Internet ("Timed out receiving
    # message from renderer"), whatever the page.
    opt.page_load_strategy = "none"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
                "--disable-background-networking", "--disable-component-update",
                "--user-data-dir=" + prof, "--window-size=" + a.size):
        opt.add_argument(arg)
    # a phone's viewport (headless windows are at least 500 px wide)
    w, h = (int(x) for x in a.size.split(","))
    opt.add_experimental_option("mobileEmulation", {
        "deviceMetrics": {"width": w, "height": h, "pixelRatio": 2, "touch": True},
        "userAgent": "Mozilla/5.0 (Linux; Android 14; gate511 demo) AppleWebKit/537.36 "
                     "(KHTML, like Gecko) Chrome/120 Mobile Safari/537.36"})
    svc = Service("/usr/bin/chromedriver")
    drv = None
    ok = False
    try:
        drv = webdriver.Chrome(service=svc, options=opt)
        drv.set_page_load_timeout(WAIT)
        ok = run(drv, a)
    except WebDriverException as e:
        step("browser", False, str(e).splitlines()[0] if str(e) else repr(e))
    finally:
        if drv is not None:
            try:
                drv.quit()
            except WebDriverException:
                pass
        # chromedriver and its chromium by PID (quit() normally stopped both)
        p = getattr(svc, "process", None)
        if p is not None and p.poll() is None:
            for pid in [p.pid] + descendants(p.pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            p.wait(timeout=5)
        shutil.rmtree(prof, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
