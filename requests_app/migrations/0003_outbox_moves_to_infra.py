"""The outbox now belongs to infra.outbox (its 0001); the table stays where it is."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("requests_app", "0002_outgoingemail_status_limited"),
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OutgoingEmail")],
            database_operations=[],
        ),
    ]
