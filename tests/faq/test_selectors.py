"""Which entries a channel suggests, and how a saved entry reaches the next question."""

from faq import selectors
from faq.models import ChannelCategory, Entry


def questions(channel, text):
    return [entry.question for entry, _score in selectors.suggest(channel, text)]


def test_only_published_entries_of_the_channels_categories_in_its_language_are_suggested(
    faq_channel, make_category, make_entry
):
    channel = faq_channel("en")
    linked = make_category(channel)
    other = make_category()
    make_entry(linked, "How do I return an item?")
    make_entry(linked, "Returning an item (draft)", published=False)
    make_entry(linked, "Wie funktioniert die Rücksendung eines Artikels?", language="de", keywords="return item")
    make_entry(other, "Return an item in another shop")
    assert questions(channel, "return item") == ["How do I return an item?"]


def test_a_german_channel_gets_the_german_entries(faq_channel, make_category, make_entry):
    channel = faq_channel("de")
    category = make_category(channel)
    make_entry(category, "How do I return an item?", keywords="Rücksendung")
    make_entry(category, "Wie funktioniert die Rücksendung?", language="de")
    assert questions(channel, "Rücksendung") == ["Wie funktioniert die Rücksendung?"]


def test_the_channel_says_how_many_suggestions_show(faq_channel, make_category, make_entry):
    channel = faq_channel("en", faq_max_suggestions=2)
    category = make_category(channel)
    for number in range(5):
        make_entry(category, f"Voucher question {number}")
    assert len(questions(channel, "voucher")) == 2


def test_a_saved_entry_is_used_by_the_next_question(faq_channel, make_category, make_entry):
    channel = faq_channel("en")
    category = make_category(channel)
    entry = make_entry(category, "How much does shipping cost?")
    assert questions(channel, "gift wrapping") == []  # the index is now cached

    make_entry(category, "Do you offer gift wrapping?")
    assert questions(channel, "gift wrapping") == ["Do you offer gift wrapping?"]

    entry.question = "Is gift wrapping free?"
    entry.save()
    assert "Is gift wrapping free?" in questions(channel, "gift wrapping")

    Entry.objects.filter(question="Do you offer gift wrapping?").get().delete()
    assert questions(channel, "gift wrapping") == ["Is gift wrapping free?"]

    entry.published = False
    entry.save()
    assert questions(channel, "gift wrapping") == []


def test_linking_and_unlinking_a_category_changes_the_next_question(faq_channel, make_category, make_entry):
    channel = faq_channel("en")
    first = make_category(channel)
    make_entry(first, "How much does shipping cost?")
    second = make_category()
    make_entry(second, "Do you offer gift wrapping?")
    assert questions(channel, "gift wrapping") == []
    ChannelCategory.objects.create(channel=channel, category=second)
    assert questions(channel, "gift wrapping") == ["Do you offer gift wrapping?"]
    ChannelCategory.objects.filter(channel=channel, category=second).delete()
    assert questions(channel, "gift wrapping") == []


def test_an_index_in_another_process_is_rebuilt_from_the_stamp(faq_channel, make_category, make_entry):
    """Each process compares the stamp in the database with its cached one: no message between processes needed."""
    channel = faq_channel("en")
    category = make_category(channel)
    make_entry(category, "How much does shipping cost?")
    stale = selectors.channel_index(channel)
    # Another process changes the entry; this process only sees the database.
    Entry.objects.filter(category=category).update(question="Gift wrapping prices")  # no updated_at: stamp same
    assert selectors.channel_index(channel) is stale
    entry = Entry.objects.get(category=category)
    entry.save()  # as the admin and the importer do: updated_at moves
    assert selectors.channel_index(channel) is not stale
    assert questions(channel, "gift wrapping") == ["Gift wrapping prices"]


def test_an_unchanged_faq_costs_one_query_per_question(
    faq_channel, make_category, make_entry, django_assert_num_queries
):
    channel = faq_channel("en")
    make_entry(make_category(channel), "How much does shipping cost?")
    selectors.suggest(channel, "shipping")
    with django_assert_num_queries(1):
        assert selectors.suggest(channel, "weather tomorrow") == []
    with django_assert_num_queries(2):  # the stamp, then the entries found
        assert len(selectors.suggest(channel, "shipping cost")) == 1
