"""Signals of requests for the apps above this one, which requests_app must not import (docs/architecture.md)."""

from django.dispatch import Signal

# Sent with ``channel_id`` when a request is closed by a query (services.close_request),
# which post_save does not see; creating and saving a request is seen by post_save.
request_closed = Signal()
