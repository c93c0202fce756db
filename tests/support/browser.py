"""
How the tests and bench/widget_weight.py launch Chromium: Debian's, since
Playwright's own download cannot work here, with the flags that keep it from
reaching out (updates, sync, QUIC) and running without a GPU or a sandbox.
"""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
