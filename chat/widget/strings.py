"""
The texts the widget's JavaScript shows, translated on the server in the
customer's language (chat.widget.language) and handed to the page as JSON: no catalogue to download,
and one .po file for everything.
"""

from django.utils.translation import gettext as _


def widget_strings():
    return {
        "open": _("Open chat"),
        "minimize": _("Minimize chat"),
        "close": _("End chat"),
        "name": _("Name"),
        "email": _("E-mail"),
        "required": _("required"),
        # The link after the consent checkbox's text (opens the channel's privacy notice in a new tab).
        "privacy_notice": _("Privacy notice (opens in a new tab)"),
        "consent_needed": _("Please agree to the privacy notice to continue."),
        "next": _("Continue"),
        "question": _("Your question"),
        "question_hint": _("Type your question and press Enter."),
        "send": _("Send"),
        "message": _("Message"),
        "messages": _("Messages"),
        # An FAQ entry the agent sent into the chat: a card with its question.
        "faq_entry": _("FAQ entry"),
        "show_answer": _("Show answer"),
        "hide_answer": _("Hide answer"),
        "answer_failed": _("The answer could not be loaded. Please try again."),
        "start_failed": _("The chat could not be started. Please try again."),
        "waiting": _("Waiting for an agent"),
        "joined": _("%(agent)s joined the chat."),
        # A second agent (a manager) joins and leaves the chat.
        "participant_left": _("%(agent)s left the chat."),
        "transferred": _("%(from)s handed the chat to %(to)s."),
        "transferred_channel": _("Your chat was passed on to %(channel)s. Please wait for an agent there."),
        "ended_customer": _("You ended the chat."),
        "ended_agent": _("%(agent)s ended the chat."),
        "ended_system": _("The chat ended because the connection was lost for too long."),
        "ended_title": _("The chat has ended."),
        "new_chat": _("Start a new chat"),
        "confirm_end": _("Do you want to end the chat?"),
        "confirm_yes": _("Yes, end the chat"),
        "confirm_no": _("No, continue"),
        "typing": _("%(name)s is typing…"),
        "agent": _("Agent"),
        "you": _("You"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "too_many_windows": _("This chat is open in too many windows. Please close some of them."),
        "sending": _("Sending…"),
        "not_sent": _("Not sent yet"),
        "form_errors": _("Please correct the marked fields."),
        "form_intro": _("Please tell us who you are, then ask your question."),
        "required_note": _("Fields marked with * are required."),
        "choose": _("Please choose"),
        "start": _("Start chat"),
        "back": _("Back"),
        "question_empty": _("Please type your question."),
        "network_error": _("No connection to the server. Please check your connection and try again."),
        "connecting": _("Connecting…"),
        "chatting_with": _("Chatting with %(agent)s"),
        "chat_gone": _("This chat is no longer available. Please start a new one."),
        "not_delivered": _("Not delivered: %(reason)s"),
        "working": _("Please wait…"),
        # After the agent ended the chat: writing again reopens it (chat.conversations.reopen).
        "write_again": _("Write again"),
        "reopened": _("You wrote again: the chat was reopened."),
        "returned": _("%(agent)s is no longer available. You are back in the queue."),
        # The closed view and requests (static/widget/closed.js).
        "request_created": _("Your request %(request_id)s was created. We will answer by e-mail."),
        "opening_hours": _("Opening hours"),
        "request_send": _("Send request"),
        "request_id_is": _("Your request ID: %(request_id)s"),
        "request_thanks": _("Thank you! We have received your request and will answer by e-mail."),
        "request_offer": _("Leave a request instead of waiting"),
        "request_offer_text": _("We will answer your question by e-mail to %(email)s. Your chat will end."),
        "request_confirm": _("Send as a request"),
        "keep_waiting": _("Keep waiting"),
        # Files in the chat (static/widget/files.js).
        **file_strings(),
    }


def file_strings():
    return {
        "attach": _("Attach a file"),
        "drop_hint": _("Drop the file here to send it."),
        "uploads": _("Files being sent"),
        "uploading": _("Sending %(name)s"),
        "cancel_upload": _("Cancel"),
        "cancel_upload_of": _("Cancel sending %(name)s"),
        "retry_upload": _("Try again"),
        "retry_upload_of": _("Try again to send %(name)s"),
        "dismiss_upload": _("Remove"),
        "dismiss_upload_of": _("Remove %(name)s"),
        "upload_failed": _("The file could not be sent. Please check your connection and try again."),
        "file_too_large": _("%(name)s is too large. Files may be at most %(size)s."),
        "file_load_failed": _("The file could not be loaded. Please try again."),
        "download": _("Download"),
        "download_file": _("Download %(name)s"),
        "file_kind_image": _("Image"),
        "file_kind_pdf": _("PDF document"),
        "file_kind_office": _("Office document"),
        "file_kind_text": _("Text file"),
        "file_kind_file": _("File"),
    }
