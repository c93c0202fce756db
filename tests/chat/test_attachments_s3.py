"""
FILES_STORAGE=s3 for real: django-storages' S3Storage against moto's S3
server on 127.0.0.1 (HTTP, signed requests, a private bucket), through the
same upload, download and deletion paths as the file system.
"""

import boto3
import pytest
from django.core.files.storage import storages
from django.test import Client
from moto.server import ThreadedMotoServer

from chat.conversations import assignment, attachments
from chat.conversations.models import Attachment, Chat, Party
from tests.chat.files import PDF, jpeg_with_gps
from tests.support.servers import free_port

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The sync test client collects the views' async stream, and says so.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume asynchronous iterators"),
]

BUCKET = "helpdesk-files"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


@pytest.fixture
def s3(settings, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "endpoint_url": endpoint,
                "location": "chats",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    yield client
    server.stop()


def objects(client):
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_files_are_stored_privately_in_the_bucket_served_through_the_views_and_deleted_with_the_chat(
    s3, make_channel, make_agent, make_chat
):
    assert type(storages["attachments"]).__name__ == "S3Storage"
    channel = make_channel(slug="shop")
    agent = make_agent(channel)
    chat, token = make_chat(channel)
    assignment.accept_chat(chat, agent=agent)

    message, created = attachments.post_file(
        chat, author=Party.CUSTOMER, content=jpeg_with_gps(), name="photo.jpg", client_id="1"
    )
    attachments.post_file(chat, author=Party.AGENT, agent=agent, content=PDF, name="invoice.pdf", client_id="2")
    photo = Attachment.objects.get(message=message)
    keys = objects(s3)
    assert keys == sorted(f"chats/{a.file.name}" for a in Attachment.objects.all())
    # Private: the object's ACL grants nobody but its owner.
    grants = s3.get_object_acl(Bucket=BUCKET, Key=f"chats/{photo.file.name}")["Grants"]
    assert [grant["Grantee"].get("URI") for grant in grants if grant["Grantee"].get("Type") == "Group"] == []

    agent_client = Client()
    agent_client.force_login(agent)
    response = agent_client.get(f"/agent/files/{photo.key}")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert b"".join(response)[:2] == b"\xff\xd8"
    customer = Client().get(f"/chat/shop/api/files/{message.params['key']}", headers={"X-Chat-Token": token})
    assert customer.status_code == 200

    Chat.objects.filter(pk=chat.pk).delete()
    assert objects(s3) == []
