"""Calling the widget's JSON endpoints in tests as the widget does: JSON, from this site's own origin."""

import json

# The origin of the Django test client (http://testserver), as a browser sends it.
SITE_ORIGIN = "http://testserver"


def post_json(client, url, data=None, *, headers=None, **extra):
    """
    POST ``data`` (an object to encode, or a str/bytes body sent as it is) as
    application/json with the widget's Origin. Returns what the client's post
    returns: the response, or for an AsyncClient an awaitable of it.
    """
    body = data if isinstance(data, (str, bytes)) else json.dumps({} if data is None else data)
    headers = {"Origin": SITE_ORIGIN, **(headers or {})}
    return client.post(url, data=body, content_type="application/json", headers=headers, **extra)
