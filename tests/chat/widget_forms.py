"""What the widget's endpoint tests share: a good pre-chat form and starting a chat."""

from tests.support.http import post_json

GOOD_FORM = {"name": "Erika Mustermann", "email": "erika@example.com"}


def good_extra_fields(**changes):
    fields = {"customer_number": "K-1234", "privacy": True, "topic": "Returns", "phone": "+49 30 1234567"}
    fields.update(changes)
    return fields


async def start_chat(client, slug="shop", *, question="Where is my parcel?", headers=None, **form):
    data = {**GOOD_FORM, **form, "question": question}
    return await post_json(client, f"/chat/{slug}/api/start", data, headers=headers)
