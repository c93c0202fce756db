"""What a transfer or a reassignment can refuse (chat.conversations.transfers); docs/protocol.md lists the codes."""

from django.utils.translation import gettext_lazy as _

from chat.conversations.errors import ChatError


class AgentUnavailable(ChatError):
    code = "agent_unavailable"
    message = _("This agent is not available in the chat's channel.")
    http_status = 409


class TargetAtLimit(ChatError):
    code = "at_limit"
    message = _("This agent already has as many chats as the channel allows.")
    http_status = 409


class TransferPending(ChatError):
    code = "transfer_pending"
    message = _("This chat is already offered to someone. Cancel that offer first.")
    http_status = 409


class NotAManager(ChatError):
    code = "not_a_manager"
    message = _("Only a manager of the chat's channel may do this.")
    http_status = 403


class TransferGone(ChatError):
    code = "transfer_gone"
    message = _("This transfer is no longer open.")
    http_status = 404


class UnknownChannel(ChatError):
    code = "unknown_channel"
    message = _("This channel does not exist.")
    http_status = 404


class SameChannel(ChatError):
    code = "same_channel"
    message = _("The chat is already in this channel.")


class NoteTooLong(ChatError):
    code = "note_too_long"
    message = _("The note to the receiver is too long.")
