"""
The outbox moves here from requests_app with its table and rows untouched:
only Django's picture of the models changes (requests_app 0003 drops it there).
"""
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("chat", "0004_alter_chat_end_reason"),
        ("requests_app", "0002_outgoingemail_status_limited"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutgoingEmail",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=100, unique=True)),
                        ("to", models.EmailField(max_length=254, verbose_name="to")),
                        ("subject", models.CharField(max_length=250, verbose_name="subject")),
                        ("body_text", models.TextField(verbose_name="text")),
                        ("body_html", models.TextField(blank=True, verbose_name="HTML")),
                        ("status", models.CharField(choices=[("pending", "Waiting to be sent"), ("sending", "Being sent"), ("sent", "Sent"), ("failed", "Failed"), ("limited", "Not sent: too many e-mails to this address")], default="pending", max_length=10, verbose_name="status")),
                        ("attempts", models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(100)], verbose_name="attempts")),
                        ("last_error", models.TextField(blank=True, verbose_name="last error")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                        ("next_attempt_at", models.DateTimeField(blank=True, null=True, verbose_name="next attempt")),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                        ("chat", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="emails", to="chat.chat", verbose_name="chat")),
                        ("request", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="emails", to="requests_app.request", verbose_name="request")),
                    ],
                    options={
                        "verbose_name": "outgoing e-mail",
                        "verbose_name_plural": "outgoing e-mails",
                        "ordering": ["-created_at"],
                        "db_table": "requests_app_outgoingemail",
                        "indexes": [models.Index(fields=["status", "next_attempt_at"], name="email_due_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
