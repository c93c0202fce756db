"""
Changes to who may work in the dashboard, wherever they are made (the admin,
a script, logging out): each tells the agent's open sockets to check their
access now (presence.notify_agent_access_changed), so that a revoked agent's
dashboard loses the queue and the chats within moments, on every process.
An agent who may no longer take part gives their active chats back to the
queue (assignment.return_chats_to_queue): no customer is left talking to nobody.
A manager who may no longer listen in on a channel leaves the chats of it
they joined (listening.end_participations_of), with the event in their logs.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from chat.configuration.models import Channel, ChannelMembership
from chat.conversations import assignment, listening, presence


@receiver(user_logged_out)
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        # Sent before Django flushes the session: the sockets of this browser close at once.
        session_key = getattr(getattr(request, "session", None), "session_key", "") or ""
        presence.notify_agent_access_changed(user.pk, ended_session_key=session_key)


def user_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # every login saves this; it changes nobody's access
    if not instance.is_active:
        assignment.return_chats_to_queue(instance)
        listening.end_participations_of(instance)
    presence.notify_agent_access_changed(instance.pk)


def user_deleting(sender, instance, **kwargs):
    # Before the chats' agent is set to NULL, which would leave them active with nobody.
    assignment.return_chats_to_queue(instance)


def user_deleted(sender, instance, **kwargs):
    presence.notify_agent_access_changed(instance.pk)


@receiver(post_save, sender=ChannelMembership)
def membership_saved(sender, instance, **kwargs):
    if not (instance.is_manager and instance.may_listen_in):
        listening.end_participations_of(instance.user, channel_ids=[instance.channel_id])
    presence.notify_agent_access_changed(instance.user_id)


@receiver(post_delete, sender=ChannelMembership)
def membership_deleted(sender, instance, **kwargs):
    assignment.return_chats_to_queue(instance.user, channel_ids=[instance.channel_id])
    listening.end_participations_of(instance.user, channel_ids=[instance.channel_id])
    presence.notify_agent_access_changed(instance.user_id)


@receiver(m2m_changed, sender=Channel.members.through)
def members_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``channel.members.add/remove/clear`` and ``user.chat_channels...`` bypass the membership signals."""
    # Which (user, channel) pairs change; a clear is seen before it happens.
    if action in ("post_add", "post_remove"):
        pairs = [(instance.pk, pk) for pk in pk_set or ()] if reverse else [(pk, instance.pk) for pk in pk_set or ()]
    elif action == "pre_clear":
        if reverse:
            pairs = [(instance.pk, pk) for pk in instance.chat_channels.values_list("pk", flat=True)]
        else:
            pairs = [(pk, instance.pk) for pk in instance.members.values_list("pk", flat=True)]
    else:
        return
    if action != "post_add":
        user_model = get_user_model()
        for user_id, channel_id in pairs:
            # For a clear this runs before the rows go; the chats go back either way.
            assignment.return_chats_to_queue(user_model(pk=user_id), channel_ids=[channel_id])
            listening.end_participations_of(user_model(pk=user_id), channel_ids=[channel_id])
    for user_id in {user_id for user_id, _channel_id in pairs}:
        presence.notify_agent_access_changed(user_id)


def connect_user_signals():
    user_model = get_user_model()
    post_save.connect(user_saved, sender=user_model, dispatch_uid="chat.user_saved")
    pre_delete.connect(user_deleting, sender=user_model, dispatch_uid="chat.user_deleting")
    post_delete.connect(user_deleted, sender=user_model, dispatch_uid="chat.user_deleted")
