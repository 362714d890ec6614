#!/usr/bin/env python3
"""Every byte a browser downloads on the first load of a wizard or dashboard page, from a
running portal.

Usage: page_weight.py BASE_URL OUTBOX_DIR LIMIT_BYTES

Loads step 1 (the billing link) as a new visitor, signs in as the demo customer the way a
browser without JavaScript does (email, the code from the mail outbox, business details when
asked), then loads step 5; then the dashboard's sign-in page as a new visitor and, signed in as
the demo admin, its payments list. For each page it fetches the HTML and everything the HTML
makes the browser fetch at once (stylesheets, the hydration script, the preloaded WASM), and
prints each raw, gzip -9 and brotli -11, and the total. Exits 1 when a wizard page's brotli
total passes the limit (the dashboard's are printed beside them, for the README).
"""

import glob
import gzip
import html.parser
import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

SLUG = "northwind"
DEMO_EMAIL = "ap@globex.example"
DEMO_ADMIN = "admin@northwind.example"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Assets(html.parser.HTMLParser):
    """The URLs a page's head makes the browser download before it is interactive."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = attrs.get("rel", "")
        if tag == "link" and rel in ("stylesheet", "modulepreload", "preload") and attrs.get("href"):
            self.urls.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


class Portal:
    def __init__(self, base):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def get(self, path):
        request = urllib.request.Request(self.base + path, headers={"Accept": "text/html"})
        with self.opener.open(request) as response:
            return response.read()

    def post(self, page, endpoint, fields):
        """Posts a form as a browser without JavaScript does; returns where it was sent."""
        request = urllib.request.Request(
            f"{self.base}/api/{endpoint}",
            data=urllib.parse.urlencode(fields).encode(),
            headers={
                "Accept": "text/html",
                "Origin": self.base,
                "Referer": self.base + page,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        try:
            with self.opener.open(request) as response:
                return response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            if 300 <= error.code < 400:
                return error.headers.get("Location", "")
            raise


def newest_code(outbox, seen, email=DEMO_EMAIL):
    for _ in range(100):
        for name in sorted(glob.glob(os.path.join(outbox, "*")), key=os.path.getmtime, reverse=True):
            if name in seen or not os.path.isfile(name):
                continue
            text = open(name, encoding="utf-8", errors="replace").read()
            match = re.search(r"Your sign-in code [^\n]*: (\d{6})", text)
            if f"To: {email}" in text and match:
                return match.group(1)
        time.sleep(0.1)
    sys.exit(f"no sign-in code reached {outbox}")


def sign_in(portal, outbox):
    page = f"/pay/{SLUG}"
    seen = set(glob.glob(os.path.join(outbox, "*")))
    portal.post(page, "wizard/email", {"merchant_slug": SLUG, "email": DEMO_EMAIL})
    code = newest_code(outbox, seen)
    next_page = portal.post(f"{page}/verify", "wizard/code", {"merchant_slug": SLUG, "code": code})
    if next_page.endswith("/account"):
        # The demo address is a contact of one customer; several would ask which one.
        sys.exit("the demo customer's address asks which business: the script expects one")
    if next_page.endswith("/business"):
        portal.post(
            f"{page}/business",
            "wizard/business",
            {
                "merchant_slug": SLUG,
                "business_name": "Globex Corporation",
                "contact_name": "Ana López",
                "phone": "+1 415 555 0100",
                "address_line1": "1 Market St",
                "city": "San Francisco",
                "region": "CA",
                "postal_code": "94105",
                "country": "US",
            },
        )


def sign_in_to_dashboard(portal, outbox):
    seen = set(glob.glob(os.path.join(outbox, "*")))
    portal.post("/dashboard", "dashboard/email", {"email": DEMO_ADMIN})
    code = newest_code(outbox, seen, DEMO_ADMIN)
    portal.post("/dashboard/verify", "dashboard/code", {"code": code})


def sizes(body):
    brotli = subprocess.run(["brotli", "-Z", "-c"], input=body, capture_output=True, check=True)
    return len(body), len(gzip.compress(body, 9, mtime=0)), len(brotli.stdout)


def weigh(portal, name, path):
    page = portal.get(path)
    parser = Assets()
    parser.feed(page.decode("utf-8", errors="replace"))
    rows = [("HTML " + path, sizes(page))]
    for url in dict.fromkeys(parser.urls):
        with portal.opener.open(urllib.parse.urljoin(portal.base + path, url)) as response:
            rows.append((url.split("?")[0], sizes(response.read())))
    print(f"\n{name}")
    print(f"  {'download':<44} {'raw':>9} {'gzip-9':>9} {'brotli-11':>10}")
    for label, (raw, gz, br) in rows:
        print(f"  {label:<44} {raw:>9} {gz:>9} {br:>10}")
    total = tuple(sum(row[1][i] for row in rows) for i in range(3))
    print(f"  {'total':<44} {total[0]:>9} {total[1]:>9} {total[2]:>10}")
    return total[2]


def main():
    base, outbox, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
    portal = Portal(base)
    step1 = weigh(portal, "Step 1, the billing link (a new visitor)", f"/pay/{SLUG}")
    sign_in(portal, outbox)
    step5 = weigh(portal, "Step 5, what to pay (signed in)", f"/pay/{SLUG}/amounts")
    staff = Portal(base)
    sign_in_page = weigh(staff, "Dashboard sign-in (a new visitor)", "/dashboard")
    sign_in_to_dashboard(staff, outbox)
    payments = weigh(staff, "Dashboard payments (signed in)", "/dashboard/payments")
    print("\nfirst loads side by side (brotli bytes)")
    print(f"  {'wizard':<28} {'':>9}   {'dashboard':<28}")
    print(f"  {'/pay/' + SLUG:<28} {step1:>9}   {'/dashboard':<28} {sign_in_page:>9}")
    print(f"  {'/pay/' + SLUG + '/amounts':<28} {step5:>9}   {'/dashboard/payments':<28} {payments:>9}")
    heaviest = max(step1, step5)
    print(f"\nfirst-load budget (brotli, per wizard page): heaviest {heaviest} of {limit} bytes")
    if heaviest > limit:
        sys.exit("a page's first load is over its budget")


if __name__ == "__main__":
    main()
