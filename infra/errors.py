"""
Errors a client can cause, each with a stable code and a translated message.
Sockets turn them into error frames, views into JSON 4xx answers
(docs/protocol.md and docs/api.md list the codes). The apps add their own
(chat.conversations.errors) as subclasses of ClientError.
"""

from django.utils.translation import gettext_lazy as _


class ClientError(Exception):
    """What a client did wrong: a stable code, a translated message, an HTTP status."""

    code = "error"
    message = _("Something went wrong.")
    http_status = 400

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.code))


class InvalidJSON(ClientError):
    code = "invalid_json"
    message = _("The frame is not valid JSON.")


class InvalidFrame(ClientError):
    code = "invalid_frame"
    message = _("The frame is missing a field, or one of its fields is invalid.")


class UnknownFrameType(ClientError):
    code = "unknown_type"
    message = _("This kind of frame is not known.")


class FrameTooLarge(ClientError):
    code = "too_large"
    message = _("The frame is too large.")
    http_status = 413


class TooDeep(ClientError):
    code = "too_deep"
    message = _("The frame is nested too deeply.")


class InvalidText(ClientError):
    """Text with a NUL or an unpaired UTF-16 surrogate, which cannot be stored (infra.safejson)."""

    code = "invalid_text"
    message = _("The text contains characters that cannot be stored (a null character or half of an emoji).")

    def __init__(self, message=None, *, decoded=None):
        self.decoded = decoded
        super().__init__(message)


class RateLimited(ClientError):
    code = "rate_limited"
    message = _("You are sending too fast. Please wait a moment.")
    http_status = 429


class CrossSite(ClientError):
    """A widget endpoint called from a page that is not the widget's own (infra.jsonapi)."""

    code = "cross_site"
    message = _("This request did not come from the chat window.")
    http_status = 403


class UnsupportedMediaType(ClientError):
    code = "unsupported_media_type"
    message = _("Send the request as JSON (Content-Type: application/json).")
    http_status = 415


class MethodNotAllowed(ClientError):
    code = "method_not_allowed"
    message = _("This address does not answer this kind of request.")
    http_status = 405

    def __init__(self, allowed=()):
        self.allowed = tuple(allowed)
        super().__init__()
