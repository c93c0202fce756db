"""The agents' history: searching past chats of their channels and reading one whole (HTTP pages)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from chat.configuration.models import Channel
from chat.conversations import history, selectors
from chat.conversations.errors import NotYourChat

# Page numbers beyond this are no page anyone reads (25 chats a page).
MAX_PAGE = 10_000


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=history.MAX_QUERY_LENGTH,
        help_text=_("Customer name, e-mail address, request ID or words from the conversation."),
    )
    channel = forms.TypedChoiceField(label=_("Channel"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput)

    def __init__(self, data, *, channels):
        super().__init__(data)
        self.fields["channel"].choices = [("", _("All my channels")), *((c.pk, c.name) for c in channels)]


def _agent_or_403(request):
    """None for an agent of a channel; the page that says otherwise for anyone else."""
    if not selectors.agent_channel_ids(request.user):
        return render(request, "agent/not_an_agent.html", status=403)
    return None


@require_GET
@login_required
def search(request):
    refused = _agent_or_403(request)
    if refused is not None:
        return refused
    channels = list(Channel.objects.filter(memberships__user=request.user).order_by("name"))
    form = SearchForm(request.GET, channels=channels)
    results = None
    if form.is_valid():
        values = form.cleaned_data
        chats = history.search_chats(
            request.user,
            values["q"],
            channel_id=values["channel"],
            date_from=values["date_from"],
            date_to=values["date_to"],
        )
        results = history.search_page(chats, values["page"] or 1)
    context = {"form": form, "results": results}
    if results is not None:
        context["previous_url"] = _page_link(request, results.number - 1) if results.has_previous else None
        context["next_url"] = _page_link(request, results.number + 1) if results.has_next else None
    return render(request, "agent/history.html", context)


def _page_link(request, number):
    query = request.GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@require_GET
@login_required
def past_chat(request, chat_id):
    refused = _agent_or_403(request)
    if refused is not None:
        return refused
    try:
        past = history.access_past_chat(request.user, chat_id)
    except NotYourChat:
        # Another channel's chat looks like no chat at all.
        raise Http404() from None
    return render(request, "agent/history_chat.html", {"past": past, "chat": past.chat})
