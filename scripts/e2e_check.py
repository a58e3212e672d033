#!/usr/bin/env python3
"""Drives headless Chromium against a running `supportops serve --demo` and checks that every
page shows the numbers the JSON API reports. Called by scripts/e2e.sh; standard library only."""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser

CHROMIUM = [
    "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--hide-scrollbars",
]

failures = []


def check(ok, what):
    print(("  ok   " if ok else "  FAIL ") + what)
    if not ok:
        failures.append(what)


class Kpis(HTMLParser):
    """Collects the text of every element carrying `data-kpi`, the <title>, and <script>s."""

    def __init__(self):
        super().__init__()
        self.kpis, self.open, self.title, self.in_title = {}, [], "", False
        self.scripts, self.rows = [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for item in self.open:
            item[1] += 1
        if "data-kpi" in a:
            self.open.append([a["data-kpi"], 0, ""])
        if tag == "title" and not self.title:
            self.in_title = True
        if tag == "script":
            self.scripts.append(a.get("src"))
        if tag == "tr" and "data-key" in a:
            self.rows += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        for item in list(self.open):
            if item[1] == 0:
                self.kpis[item[0]] = item[2].strip()
                self.open.remove(item)
            else:
                item[1] -= 1

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        for item in self.open:
            item[2] += data


def chromium(args, work):
    profile = tempfile.mkdtemp(dir=work)
    run = subprocess.run(
        CHROMIUM + [f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0"] + args,
        capture_output=True, text=True, timeout=120,
    )
    blocked = [l for l in run.stderr.splitlines() if "Content Security Policy" in l or "Refused to" in l]
    check(not blocked, f"no content blocked by the page's security policy ({args[-1]})")
    for line in blocked[:5]:
        print("       " + line)
    return run.stdout


def page(base, path, work):
    dom = chromium(["--dump-dom", base + path], work)
    parsed = Kpis()
    parsed.feed(dom)
    check(parsed.title.endswith("· supportops"), f"{path} loads in the browser (title `{parsed.title}`)")
    check(all(src and src.startswith("/assets/") for src in parsed.scripts),
          f"{path} runs only its own script")
    return parsed, dom


def api(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return json.load(r)


def wait_until_up(base):
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if api(base, "/healthz")["status"] == "ok":
                return
        except (urllib.error.URLError, ConnectionError, json.JSONDecodeError):
            time.sleep(0.3)
    sys.exit("e2e: the server did not answer /healthz within 120 s")


def post_feedback(base, token, body):
    req = urllib.request.Request(
        base + "/hooks/feedback", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--screenshot", required=True)
    ap.add_argument("--phone-screenshot")
    a = ap.parse_args()
    base, work = a.base, a.work
    started = time.time()
    wait_until_up(base)
    print(f"e2e: server up after {time.time() - started:.1f} s")

    summary = api(base, "/api/v1/summary")
    reviews = api(base, "/api/v1/reviews")
    shadowing = api(base, "/api/v1/shadowing/coverage")
    syncs = api(base, "/api/v1/syncs")
    responses = api(base, "/api/v1/responses")
    current = shadowing["coverage"]["periods"][-1]

    print("Overview")
    p, dom = page(base, "/", work)
    check(p.kpis.get("responses") == str(summary["rows"]), f"responses {p.kpis.get('responses')} = API {summary['rows']}")
    # The band-mix chart's months add up to the headline: no month of data falls outside it.
    bars = [int(n) for n in re.findall(r'<g class="bar" data-month="[0-9-]+" data-responses="([0-9]+)"', dom)]
    api_months = sum(m["responses"] for m in summary["months"])
    check(len(bars) == len(summary["months"]) and sum(bars) == api_months,
          f"the chart's {len(bars)} months hold {sum(bars)} responses = API {api_months}")
    check(str(sum(bars)) == p.kpis.get("responses"),
          f"the chart's months add up to the headline ({sum(bars)} = {p.kpis.get('responses')})")
    check(p.kpis.get("flagged") == str(summary["flagged"]), f"flagged {p.kpis.get('flagged')} = API {summary['flagged']}")
    check(p.kpis.get("mean_score") == f"{summary['mean_score']:.2f}", f"mean score {p.kpis.get('mean_score')} = API {summary['mean_score']}")
    check(p.kpis.get("open_reviews") == str(reviews["open"]), f"open reviews {p.kpis.get('open_reviews')} = API {reviews['open']}")
    done = sum(min(r["done"], r["target"]) for r in current["regions"])
    check(p.kpis.get("shadow_done", "").startswith(str(done)), f"shadowing {p.kpis.get('shadow_done')} starts with API {done}")

    print("Responses")
    p, _ = page(base, "/responses", work)
    check(p.kpis.get("total") == str(responses["total"]), f"total {p.kpis.get('total')} = API {responses['total']}")
    check(p.rows == len(responses["responses"]), f"{p.rows} rows = API page of {len(responses['responses'])}")
    p, _ = page(base, "/responses?band=red", work)
    check(p.kpis.get("total") == str(summary["bands"]["red"]), f"red filter {p.kpis.get('total')} = API {summary['bands']['red']}")

    print("Reviews")
    p, _ = page(base, "/reviews", work)
    check(p.kpis.get("open_reviews") == str(reviews["open"]), f"open {p.kpis.get('open_reviews')} = API {reviews['open']}")
    check(p.kpis.get("closed_reviews") == str(reviews["closed"]), f"closed {p.kpis.get('closed_reviews')} = API {reviews['closed']}")

    print("Shadowing")
    p, dom = page(base, "/shadowing", work)
    for r in current["regions"]:
        key = "done_" + r["region"]
        check(p.kpis.get(key) == str(r["done"]), f"{r['region']} done {p.kpis.get(key)} = API {r['done']}")
    check('class="chart heatmap"' in dom, "the heatmap is drawn")

    print("Syncs")
    p, dom = page(base, "/syncs", work)
    check(p.kpis.get("agenda_new") == str(len(syncs["agenda"]["new_issues"])), f"agenda part 1 {p.kpis.get('agenda_new')} = API {len(syncs['agenda']['new_issues'])}")
    check(p.kpis.get("agenda_past") == str(len(syncs["agenda"]["past_issues"])), f"agenda part 2 {p.kpis.get('agenda_past')} = API {len(syncs['agenda']['past_issues'])}")
    check(syncs["next_weekly"]["title"] in dom, "the next weekly sync is listed")
    with urllib.request.urlopen(base + "/calendar.ics", timeout=30) as r:
        ics = r.read().decode()
    check(ics.startswith("BEGIN:VCALENDAR") and "RRULE:FREQ=WEEKLY" in ics, "calendar.ics is an iCalendar feed with the weekly rule")

    print("Screenshots")
    chromium(["--window-size=1280,1420", f"--screenshot={a.screenshot}", base + "/"], work)
    check(os.path.getsize(a.screenshot) > 20_000, f"screenshot saved to {a.screenshot}")
    if a.phone_screenshot:
        chromium(["--window-size=390,1600", f"--screenshot={a.phone_screenshot}", base + "/"], work)

    print("Webhook")
    marker = f"e2e-{int(time.time())}"
    body = {
        "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "Issue/MR link": "https://gitlab.com/gitlab-com/support/support-ops/e2e/-/issues/1",
        "Resolution": "It was not solved",
        "Comments": f"{marker} <script>document.title='pwned'</script>",
        "F": 1,
    }
    status, delivery = post_feedback(base, a.token, body)
    check(status == 202 and delivery["band"]["band"] == "red", f"a Red response is accepted (202, got {status})")
    status, again = post_feedback(base, a.token, body)
    check(status == 200 and again.get("status") == "duplicate", f"the same delivery again is a duplicate (200, got {status})")
    status, _ = post_feedback(base, "wrong-token-0123456789", body)
    check(status == 401, f"a wrong token is refused (401, got {status})")
    p, dom = page(base, f"/responses?q={marker}", work)
    check(p.kpis.get("total") == "1", f"the response is on the Responses page ({p.kpis.get('total')})")
    check("&lt;script&gt;document.title" in dom and p.title == "Responses · supportops",
          "its <script> is shown as text, never run")
    deadline = time.time() + 30
    while time.time() < deadline and api(base, "/api/v1/reviews")["open"] != reviews["open"] + 1:
        time.sleep(0.3)
    after = api(base, "/api/v1/reviews")["open"]
    check(after == reviews["open"] + 1, f"the background job filed its review issue ({reviews['open']} → {after} open)")

    print(f"e2e: {time.time() - started:.1f} s in the browser and API checks")
    if failures:
        print(f"e2e: {len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
