"""
Open requests on the dashboards, live: a request of a channel made (from the
widget's form, the queue or a chat) or closed (in the admin) tells the
channel's dashboards to read their open requests again. requests_app cannot
import chat, so chat listens to its model's signals and its own.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from chat.conversations import events
from requests_app.models import Request
from requests_app.signals import request_closed


@receiver(post_save, sender=Request)
def request_saved(sender, instance, **kwargs):
    events.notify_requests_changed(instance.channel_id)


@receiver(post_delete, sender=Request)
def request_deleted(sender, instance, **kwargs):
    events.notify_requests_changed(instance.channel_id)


@receiver(request_closed, sender=Request)
def request_closed_by_query(sender, channel_id, **kwargs):
    events.notify_requests_changed(channel_id)
