"""
Files in a chat: storing a checked file with the message that announces it,
reading one back for someone who belongs to the chat, and removing the stored
file when its row goes. The message (kind FILE) takes the chat's next
sequence number like any other, so the no-loss protocol covers files too.

The bytes are written to the attachments storage before the transaction (an
upload to S3 takes longer than a row lock should be held) and removed again
if the message is refused or the transaction fails: a refused upload leaves
nothing on disk or in the database.
"""

import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from chat.conversations import events, listening, log, rules
from chat.conversations.errors import ChatEnded, ChatError, NotYourChat
from chat.conversations.file_checks import check_file, file_limits
from chat.conversations.models import (
    Attachment,
    Chat,
    ChatStatus,
    Message,
    MessageKind,
    Party,
    attachment_path,
    attachments_storage,
)
from infra import throttle

logger = logging.getLogger(__name__)

# The window of HELPDESK_FILE_UPLOAD_LIMIT.
UPLOAD_WINDOW_SECONDS = 60

# 32 random bytes: the key is the secret part of a file's address, as long as a chat's token.
KEY_BYTES = 32


class FilesDisabled(ChatError):
    code = "files_disabled"
    message = _("Files cannot be sent in this chat.")
    http_status = 403


def upload_allowed(chat):
    """Count one upload to the chat (both sides together, all processes); False over HELPDESK_FILE_UPLOAD_LIMIT."""
    return throttle.hit(
        "file-upload", chat.pk, limit=settings.HELPDESK_FILE_UPLOAD_LIMIT, window_seconds=UPLOAD_WINDOW_SECONDS
    )


def new_key():
    return secrets.token_urlsafe(KEY_BYTES)


def file_params(attachment):
    """The FILE message's params (docs/protocol.md)."""
    return {
        "key": attachment.key,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "is_image": attachment.is_image,
        "width": attachment.width,
        "height": attachment.height,
    }


def post_file(chat, *, author, content, name, client_id="", agent=None):
    """
    Check the file against the chat's channel, store it and post its message.
    Returns (message, created). The same ``client_id`` again returns the
    first message with created=False (announced again, as for a text), and
    its file is neither checked nor stored a second time. Raises
    FilesDisabled, FileEmpty, FileTooLarge, FileTypeNotAllowed, ChatEnded or
    NotYourChat; then nothing is stored. Files do not reopen an ended chat:
    a customer writes a text for that. Only ``chat.pk`` is read.
    """
    client_id = (client_id or "")[: log.MAX_CLIENT_ID_LENGTH]
    if client_id:
        earlier = _earlier_message(chat.pk, client_id)
        if earlier is not None:
            events.notify_message(earlier)
            return earlier, False
    current = Chat.objects.select_related("channel", "agent").get(pk=chat.pk)
    # Decided before the file is looked at, so that a closed chat costs no decoding; again under the lock.
    _check_may_post(current, author=author, agent=agent)
    limits = file_limits(current.channel)
    if not limits.enabled:
        raise FilesDisabled()
    checked = check_file(content, name=name, kinds=limits.kinds, max_bytes=limits.max_bytes)
    attachment = Attachment(
        chat_id=current.pk,
        key=new_key(),
        author=author,
        agent=agent if author == Party.AGENT else None,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        is_image=checked.is_image,
        width=checked.width,
        height=checked.height,
    )
    # Written through the storage as configured now (the field's own was fixed when the model loaded).
    stored_name = attachments_storage().save(attachment_path(attachment, ""), ContentFile(checked.content))
    attachment.file.name = stored_name
    try:
        with transaction.atomic():
            locked = Chat.objects.select_for_update(of=("self",)).select_related("channel", "agent").get(pk=chat.pk)
            if client_id:
                earlier = Message.objects.filter(chat=locked, client_id=client_id).first()
                if earlier is not None:
                    # The same upload came twice at once; the first one won.
                    _delete_stored(stored_name)
                    earlier.chat = locked
                    events.notify_message(earlier)
                    return earlier, False
            _check_may_post(locked, author=author, agent=agent)
            attachment.chat = locked
            message = log.append(
                locked,
                author=author,
                kind=MessageKind.FILE,
                client_id=client_id,
                agent=agent if author == Party.AGENT else None,
                params=file_params(attachment),
            )
            attachment.message = message
            attachment.save()
    except BaseException:
        _delete_stored(stored_name)
        raise
    return message, True


def _earlier_message(chat_id, client_id):
    return Message.objects.select_related("chat", "agent").filter(chat_id=chat_id, client_id=client_id).first()


def _check_may_post(chat, *, author, agent):
    # A manager who joined the chat sends files as they send texts (services.post_message).
    participant = author == Party.AGENT and chat.agent_id != getattr(agent, "pk", None)
    participant = participant and listening.is_participant(chat, agent)
    if not rules.may_post(chat, author=author, agent=agent, participant=participant):
        raise ChatEnded() if chat.status == ChatStatus.ENDED else NotYourChat()


def access_file_for_customer(chat, key):
    """The chat's attachment with this key, or None: a key of another chat is no file at all."""
    if not _plausible_key(key):
        return None
    return Attachment.objects.filter(chat=chat, key=key).first()


def access_file_for_agent(agent, key):
    """The attachment with this key when the agent belongs to its chat's channel (as for its history), else None."""
    if not _plausible_key(key) or not agent.is_active:
        return None
    return Attachment.objects.filter(key=key, chat__channel__memberships__user=agent).select_related("chat").first()


def _plausible_key(key):
    return isinstance(key, str) and 0 < len(key) <= 64


def open_file(attachment):
    """The stored file, opened for reading (the caller closes it)."""
    return attachments_storage().open(attachment.file.name, "rb")


def _delete_stored(name):
    try:
        attachments_storage().delete(name)
    except Exception:
        # The row is gone either way; a file left behind is logged for the operator, not raised at the user.
        logger.exception("Could not delete the stored file %s", name)


@receiver(post_delete, sender=Attachment, dispatch_uid="chat.attachment_deleted")
def attachment_deleted(sender, instance, **kwargs):
    """The stored file goes with its row (a chat's deletion cascades here), once the deletion is committed."""
    name = instance.file.name
    if name:
        transaction.on_commit(lambda: _delete_stored(name))
