"""What a waiting widget socket keeps (docs/performance.md, idle sockets): one Channel object per channel row read, not one each."""

from chat.conversations import selectors
from chat.widget.consumer import SharedChannels


def test_waiting_chats_of_one_channel_share_its_object_until_the_channel_changes(make_channel, make_chat):
    channel = make_channel(language="en")
    chats = [selectors.access_chat_by_id(make_chat(channel)[0].pk) for _ in range(3)]
    shared = SharedChannels()
    for chat in chats:
        shared.share(chat)
    assert len({id(chat.channel) for chat in chats}) == 1
    assert all(chat.channel_id == channel.pk for chat in chats)

    channel.name = "Renamed"
    channel.save()
    again = selectors.access_chat_by_id(chats[0].pk)
    shared.share(again)
    assert again.channel.name == "Renamed", "an edited channel is never swapped for the copy read before"
    later = selectors.access_chat_by_id(chats[1].pk)
    shared.share(later)
    assert later.channel is again.channel


def test_a_channel_object_with_related_objects_cached_is_not_shared(make_channel, make_chat):
    channel = make_channel(language="en")
    first = selectors.access_chat_by_id(make_chat(channel)[0].pk)
    second = selectors.access_chat_by_id(make_chat(channel)[0].pk)
    shared = SharedChannels()
    shared.share(first)
    first.channel._state.fields_cache["something"] = object()
    shared.share(second)
    assert second.channel is not first.channel
