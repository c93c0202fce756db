"""make_* helpers for FAQ categories and entries; every test starts with an empty index cache."""

import pytest

from faq.models import Category, ChannelCategory, Entry
from faq.selectors import clear_index_cache


@pytest.fixture(autouse=True)
def fresh_index_cache():
    clear_index_cache()
    yield
    clear_index_cache()


@pytest.fixture
def make_category(db):
    counter = iter(range(1, 10_000))

    def make(*channels, name=None):
        category = Category.objects.create(name=name or f"Category {next(counter)}")
        for channel in channels:
            ChannelCategory.objects.create(channel=channel, category=category)
        return category

    return make


@pytest.fixture
def make_entry(db):
    def make(
        category,
        question,
        answer="<p>See our help pages.</p>",
        *,
        language="en",
        keywords="",
        phrasings="",
        published=True,
        order=0,
    ):
        return Entry.objects.create(
            category=category,
            language=language,
            question=question,
            answer=answer,
            keywords=keywords,
            phrasings=phrasings,
            published=published,
            order=order,
        )

    return make


@pytest.fixture
def faq_channel(make_channel):
    def make(language="en", **fields):
        fields.setdefault("faq_enabled", True)
        return make_channel(language=language, **fields)

    return make
