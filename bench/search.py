"""
Measure the agents' history search (chat.conversations.history) on PostgreSQL.

    .venv/bin/python -m bench.search [--chats 100000] [--runs 7]

Seeds a database of its own (HELPDESK_BENCH_SEARCH_DB, default
helpdesk_bench_search, on 127.0.0.1:5432 as user postgres; dropped and made
anew) with ``--chats`` chats in three channels, four messages each in German
or English on one of 25 topics, and a request for every tenth chat, by COPY.
Then runs the searches an agent of two of the channels makes (a name, an
e-mail address, a request ID, an inflected German word, an English word, two
words, an empty query) through search_chats and search_page, the first page
as the history page reads it, and prints the median and the slowest of
``--runs`` runs of each. Target: every median under 200 ms at 100,000 chats.
"""

import argparse
import importlib
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

if not __package__:  # run as a file, the project's packages would not be importable
    sys.exit(f"Run from the project's directory as a module: python -m bench.{Path(__file__).stem} ...")

from bench.database import fresh_database, use_bench_settings  # noqa: E402

DB_NAME = os.environ.get("HELPDESK_BENCH_SEARCH_DB", "helpdesk_bench_search")
TARGET_MS = 200.0
MESSAGES_PER_CHAT = 4

FIRST_NAMES = (
    "Erika Max Anna Jonas Lea Paul Mia Felix Emma Lukas Sophie Leon Marie Finn Hannah Elias Lina Noah Clara Ben "
    "Olivia James Amelia Oliver Isla George Ava Harry Emily Jack Grace Jacob Chloe Thomas Lily William Freya"
).split()
LAST_NAMES = (
    "Mustermann Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein "
    "Wolf Schröder Neumann Schwarz Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Walker"
).split()

# (German, English) sentences per topic: each chat is about one topic, in one language.
TOPICS = [
    ("Ich habe keine Rechnung für meine Bestellung bekommen.", "I did not get an invoice for my order."),
    ("Mein Paket ist noch nicht angekommen.", "My parcel has not arrived yet."),
    ("Wie kann ich den Artikel zurücksenden?", "How can I return the item?"),
    ("Die Lieferung ist beschädigt.", "The delivery arrived damaged."),
    ("Ich möchte mein Passwort ändern.", "I want to change my password."),
    ("Kann ich die Zahlungsart wechseln?", "Can I switch the payment method?"),
    ("Der Gutschein funktioniert nicht.", "The voucher code does not work."),
    ("Wann wird der Artikel wieder verfügbar?", "When will the product be back in stock?"),
    ("Ich möchte mein Konto löschen.", "Please delete my account."),
    ("Die Größe passt leider nicht.", "The size does not fit, unfortunately."),
    ("Gibt es eine Garantie auf das Gerät?", "Is there a warranty on the device?"),
    ("Ich wurde doppelt belastet.", "I was charged twice."),
    ("Wie lange dauert der Versand nach Österreich?", "How long does shipping to Austria take?"),
    ("Kann ich meine Adresse nachträglich ändern?", "Can I change my address afterwards?"),
    ("Das Ladegerät wird sehr heiß.", "The charger gets very hot."),
    ("Ich brauche eine Bedienungsanleitung.", "I need a user manual."),
    ("Mein Newsletter kommt nicht an.", "My newsletter subscription does not arrive."),
    ("Ist der Rabatt schon abgezogen?", "Has the discount been applied already?"),
    ("Ich möchte eine Reklamation einreichen.", "I want to file a complaint."),
    ("Die Farbe sieht anders aus als auf dem Foto.", "The colour looks different from the photo."),
    ("Kann ich per Rechnung bezahlen?", "Can I pay by bank transfer?"),
    ("Wo finde ich meine Kundennummer?", "Where do I find my customer number?"),
    ("Der Termin für die Montage passt nicht.", "The installation appointment does not suit me."),
    ("Meine Bestellung wurde storniert.", "My order was cancelled."),
    ("Ich habe das falsche Produkt erhalten.", "I received the wrong product."),
]
ANSWERS = (
    ("Danke für Ihre Nachricht, ich sehe mir das an.", "Thank you, let me look into this."),
    ("Ich habe das für Sie erledigt.", "I have taken care of it for you."),
)


def seed(connection, chats, rng):
    """COPY the chats, their messages and requests; the search indexes are built after, as a restore would."""
    from django.contrib.auth import get_user_model

    from chat.configuration.models import Channel, ChannelMembership

    channels = [Channel.objects.create(name=f"Channel {n}", slug=f"bench-{n}") for n in range(3)]
    agent = get_user_model().objects.create_user(username="bench-agent", first_name="Anna")
    for channel in channels[:2]:
        ChannelMembership.objects.create(channel=channel, user=agent)
    migration = importlib.import_module("chat.migrations.0007_search")
    indexes = migration.search_indexes(connection)
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    raw = connection.connection
    start = datetime.now(UTC) - timedelta(days=730)
    probes = {}
    with raw.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM chat_chat")
        first_id = cursor.fetchone()[0] + 1
        with cursor.copy(
            "COPY chat_chat (id, status, token_hash, customer_name, customer_email, email_domain_verified, form_data,"
            " created_at, ended_at, ended_by, end_reason, last_seq, agent_read_seq, channel_id, rating,"
            " rating_comment, reopened_count, customer_time_zone, language, page_title, page_url, user_agent)"
            " FROM STDIN"
        ) as copy:
            for n in range(chats):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                created = start + timedelta(seconds=n * 730 * 86400 / chats)
                language = "de" if n % 2 else "en"
                copy.write_row(
                    (first_id + n, "ended", f"{n:064x}", f"{first} {last}", f"{first}.{last}{n}@example.com".lower(),
                     True, "[]", created, created + timedelta(minutes=9), "agent", "", MESSAGES_PER_CHAT, 0,
                     channels[n % 3].pk, rng.choice((None, 3, 4, 5)), "", 0, "Europe/Berlin", language, "", "", "")
                )  # fmt: skip
        probes["email"] = f"{first}.{last}{n}@example.com".lower()
        probes["name"] = f"{first} {last}"
        with cursor.copy(
            "COPY chat_message (seq, client_id, author, kind, body, event, params, created_at, chat_id) FROM STDIN"
        ) as copy:
            for n in range(chats):
                german = n % 2
                topic = rng.choice(TOPICS)
                created = start + timedelta(seconds=n * 730 * 86400 / chats)
                bodies = (topic[0 if german else 1], ANSWERS[0][0 if german else 1], "Danke!" if german else
                          "Thanks!", ANSWERS[1][0 if german else 1])  # fmt: skip
                for seq, body in enumerate(bodies, start=1):
                    author = "customer" if seq % 2 else "agent"
                    copy.write_row((seq, "", author, "text", body, "", "{}", created, first_id + n))
        with cursor.copy(
            "COPY requests_app_request (number, status, source, customer_name, customer_email, email_domain_verified,"
            " question, form_data, transcript, language, created_at, channel_id, chat_id) FROM STDIN"
        ) as copy:
            for n in range(0, chats, 10):
                number = f"R-2026-{n // 10 + 1:05d}"
                copy.write_row((number, "open", "chat", "x", "x@example.com", True, "x", "[]", "", "en",
                                start, channels[n % 3].pk, first_id + n))  # fmt: skip
        probes["request"] = number
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)
    # As autovacuum would leave it: statistics, and the visibility map that index-only scans need.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return agent, probes


def measure(agent, query, runs):
    from chat.conversations import history

    timings = []
    for _ in range(runs + 1):  # the first run warms the caches and is not counted
        began = time.perf_counter()
        page = history.search_page(history.search_chats(agent, query), 1)
        timings.append((time.perf_counter() - began) * 1000)
    return len(page.chats), timings[1:]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    use_bench_settings(DB_NAME)
    fresh_database(DB_NAME)
    import django

    django.setup()
    from django.db import connection

    began = time.perf_counter()
    agent, probes = seed(connection, args.chats, random.Random(args.seed))
    print(
        f"Seeded {args.chats:,} chats, {args.chats * MESSAGES_PER_CHAT:,} messages in {time.perf_counter() - began:.0f} s"
    )

    searches = [
        ("name", probes["name"]),
        ("e-mail", probes["email"]),
        ("request ID", probes["request"]),
        ("German, inflected", "Rechnungen"),
        ("German, compound", "Bedienungsanleitungen"),
        ("English", "invoices"),
        ("two words", "parcel arrived"),
        ("nothing found", "Quantenverschränkung"),
        ("empty (all)", ""),
    ]
    print(f"{'search':<20} {'query':<34} {'found':>5} {'median ms':>10} {'max ms':>8}")
    worst = 0.0
    for label, query in searches:
        found, timings = measure(agent, query, args.runs)
        median = statistics.median(timings)
        worst = max(worst, median)
        print(f"{label:<20} {query[:34]:<34} {found:>5} {median:>10.1f} {max(timings):>8.1f}")
    verdict = "met" if worst < TARGET_MS else "MISSED"
    print(f"Slowest median {worst:.1f} ms: target of {TARGET_MS:.0f} ms {verdict}")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
