"""
Changes to who may work in the dashboard, wherever they are made (the admin,
a script, logging out): each tells the agent's open sockets to check their
access now (services.notify_agent_access_changed), so that a revoked agent's
dashboard loses the queue and the chats within moments, on every process.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from chat import services
from chat.models import Channel, ChannelMembership


@receiver(user_logged_out)
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        # Sent before Django flushes the session: the sockets of this browser close at once.
        session_key = getattr(getattr(request, "session", None), "session_key", "") or ""
        services.notify_agent_access_changed(user.pk, ended_session_key=session_key)


def user_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # every login saves this; it changes nobody's access
    services.notify_agent_access_changed(instance.pk)


def user_deleted(sender, instance, **kwargs):
    services.notify_agent_access_changed(instance.pk)


@receiver([post_save, post_delete], sender=ChannelMembership)
def membership_changed(sender, instance, **kwargs):
    services.notify_agent_access_changed(instance.user_id)


@receiver(m2m_changed, sender=Channel.members.through)
def members_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``channel.members.add/remove/clear`` and ``user.chat_channels...`` bypass the membership signals."""
    if action in ("post_add", "post_remove"):
        user_ids = [instance.pk] if reverse else list(pk_set or ())
    elif action == "pre_clear":
        # Told after the commit, so after the clear.
        user_ids = [instance.pk] if reverse else list(instance.members.values_list("pk", flat=True))
    else:
        return
    for user_id in user_ids:
        services.notify_agent_access_changed(user_id)


def connect_user_signals():
    user_model = get_user_model()
    post_save.connect(user_saved, sender=user_model, dispatch_uid="chat.user_saved")
    post_delete.connect(user_deleted, sender=user_model, dispatch_uid="chat.user_deleted")
