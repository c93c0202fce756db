"""
What the chat button costs a host page, measured in Chromium: requests and
bytes as transferred (compressed, headers included) before the click, and what
opening the widget adds, then what starting a chat adds (the form, the
question, the queue: the live chat's scripts load only then). The loader's budget (3 KB gzipped, no cookie, no
storage, no websocket before the click) is checked by tests/browser/test_loader.py.

    .venv/bin/python -m bench.widget_weight

Starts a production-like Daphne (DJANGO_DEBUG=false, static files collected
and compressed into a temporary directory, served by WhiteNoise) on a fresh
database helpdesk_bench_widget, and a host page on another port.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent

if not __package__:  # run as a file, tests.support would not be importable
    sys.exit(f"Run from the project's directory as a module: python -m bench.{Path(__file__).stem} ...")
os.environ["HELPDESK_BENCH_DB"] = os.environ.get("HELPDESK_BENCH_DB", "helpdesk_bench_widget")

from bench import load  # noqa: E402  (reads HELPDESK_BENCH_DB)


def main():
    static_root = tempfile.mkdtemp(prefix="helpdesk-static-")
    os.environ.update(
        DJANGO_SECRET_KEY="bench-secret-key-bench-secret-key-0123456789",
        DATABASE_URL=load.DB_URL,
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="bench.settings_static",
        HELPDESK_BENCH_STATIC_ROOT=static_root,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    os.environ.pop("REDIS_URL", None)
    load.fresh_database()
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=PROJECT_DIR, check=True)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    from chat.configuration.models import Channel, ChannelMembership
    from chat.conversations.models import AgentPresence, PresenceStatus
    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
    from tests.support.dnsserver import start_dns_server
    from tests.support.servers import DaphneProcess, HostSite

    dns = start_dns_server()
    host = HostSite(tempfile.mkdtemp(prefix="helpdesk-host-")).start()
    env = dict(os.environ, HELPDESK_DNS_NAMESERVERS=dns.address, PYTHONUNBUFFERED="1")
    server = DaphneProcess(env, name="bench-widget").start()
    try:
        channel = Channel.objects.create(name="Shop", slug="shop", allowed_origins=host.origin)
        standby = get_user_model().objects.create(username="standby", first_name="Sam")
        ChannelMembership.objects.create(channel=channel, user=standby)
        AgentPresence.objects.create(user=standby, status=PresenceStatus.PRESENT, seen_at=timezone.now())
        host.add_page(
            "index.html",
            (
                "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Shop</title></head><body><h1>Shop</h1>"
                f"<script src='{server.url}/static/widget/loader.js' data-channel='shop' async></script></body></html>"
            ),
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context().new_page()
            finished, sockets = [], []
            page.on("requestfinished", lambda request: finished.append(request))
            page.on("websocket", lambda ws: sockets.append(ws.url))
            page.goto(f"{host.origin}/index.html")
            button = page.get_by_role("button", name="Chat with us")
            button.wait_for()
            page.wait_for_timeout(1500)
            before = list(finished)
            cookies = page.context.cookies()
            storage = page.evaluate("localStorage.length + sessionStorage.length")
            ws_before = list(sockets)
            button.click()
            widget = page.frame_locator("iframe[title]")
            widget.get_by_label("Name", exact=True).wait_for()
            page.wait_for_timeout(1500)
            after = finished[len(before) :]
            widget.get_by_label("Name", exact=True).fill("Erika Mustermann")
            widget.get_by_label("E-mail", exact=True).fill("erika@example.com")
            widget.get_by_role("button", name="Continue").click()
            widget.get_by_label("Your question").fill("Where is my parcel?")
            widget.get_by_label("Your question").press("Enter")
            widget.get_by_text("You are number 1 in the queue.").wait_for()
            page.wait_for_timeout(1500)
            chatting = finished[len(before) + len(after) :]
            print(f"Chromium {browser.version}; server {server.url} (DJANGO_DEBUG=false, compressed static files)\n")
            report("Host page itself", [r for r in before if r.url.startswith(host.origin)], server)
            chat_before = [r for r in before if not r.url.startswith(host.origin)]
            report("Chat button, before the click", chat_before, server)
            print(f"  cookies: {len(cookies)}, storage entries: {storage}, websockets: {len(ws_before)}\n")
            report("Opening the widget (the click)", after, server)
            print()
            report("Starting a chat (form, question, queue)", chatting, server)
            print(f"  websockets: {len(sockets) - len(ws_before)}")
            browser.close()
    finally:
        server.stop()
        host.stop()
        dns.stop()


def report(title, requests, server):
    total = 0
    print(f"{title}: {len(requests)} requests")
    for request in requests:
        sizes = request.sizes()
        response = request.response()
        encoding = response.header_value("content-encoding") if response else None
        transferred = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        total += transferred
        path = urlsplit(request.url).path
        print(
            f"  {request.method:<4} {path:<40} {response.status if response else '-':>4}  body {sizes['responseBodySize']:>7} B "
            f"({encoding or 'identity'}), with headers {transferred:>7} B"
        )
    print(f"  total transferred: {total} B ({total / 1024:.1f} KiB)")


if __name__ == "__main__":
    main()
