"""
The widget's JSON endpoints under /chat/<slug>/api/ (docs/api.md): the
channel named by the URL, the customer's language (chat.widget.language),
and the checks of infra.jsonapi.
"""

import functools
import inspect

from asgiref.sync import sync_to_async
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from chat.configuration.consent import ConsentRequired
from chat.configuration.models import Channel
from chat.widget.language import customer_language
from infra.errors import ClientError
from infra.jsonapi import client_error_response, error_response, prepare


def widget_endpoint(*methods, body=False):
    """
    A widget endpoint of the channel named by the URL's ``slug``: the view is
    called as ``view(request, channel, **kwargs)``, or with ``body=True`` as
    ``view(request, channel, data, **kwargs)`` with the checked JSON object,
    all inside the customer's language (translation.get_language() gives it
    to the view). Another method answers 405, a caller
    from another site 403 ``cross_site``, another content type 415, a bad body
    its own 4xx code (docs/api.md), each as JSON. Works for sync and async views.
    """

    def decorate(view):
        if inspect.iscoroutinefunction(view):

            async def endpoint(request, slug, **kwargs):
                channel = await sync_to_async(get_object_or_404)(Channel, slug=slug)
                language = await sync_to_async(customer_language)(request, channel)
                with translation.override(language):
                    try:
                        args = prepare(request, methods, body=body)
                    except ClientError as error:
                        return client_error_response(error)
                    return await view(request, channel, *args, **kwargs)

        else:

            def endpoint(request, slug, **kwargs):
                channel = get_object_or_404(Channel, slug=slug)
                with translation.override(customer_language(request, channel)):
                    try:
                        args = prepare(request, methods, body=body)
                    except ClientError as error:
                        return client_error_response(error)
                    return view(request, channel, *args, **kwargs)

        endpoint = functools.wraps(view)(endpoint)
        return csrf_exempt(endpoint) if body else endpoint

    return decorate


def form_refused(result, *, without_consent):
    """
    The 400 for a form with errors, or None when it passes. A form that lacks
    only the consent is ``consent_required``; otherwise the missing consent is
    one more of ``invalid_form``'s fields (``consent``).
    """
    if without_consent:
        result.errors["consent"] = str(ConsentRequired.message)
    if not result.errors:
        return None
    if list(result.errors) == ["consent"]:
        return client_error_response(ConsentRequired(), fields=result.errors)
    return error_response("invalid_form", _("Please correct the marked fields."), fields=result.errors)
