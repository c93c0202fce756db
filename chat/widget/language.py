"""
The language the widget speaks to a customer: the first of the browser's
(Accept-Language, in its order of preference) that the channel speaks, else
the channel's own (chat.configuration.texts). Every widget page and endpoint
answers in it; a chat keeps the one it began in.
"""

from django.utils.translation.trans_real import parse_accept_lang_header

from chat.configuration.texts import pick_language


def customer_language(request, channel):
    preferred = [code for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", ""))]
    return pick_language(channel, preferred)
