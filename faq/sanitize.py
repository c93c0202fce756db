"""
An allow-list HTML sanitizer for FAQ answers, built on the standard library's
parser. The output is re-serialized from parsed tokens: text is escaped,
only the tags below survive, and of attributes only a link's safe href.
Everything else is dropped (tags) or kept as escaped text (their content),
except the content of script and style elements, which is dropped whole.
"""

from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
# The old spellings are accepted and written as their modern equivalents.
RENAMED_TAGS = {"b": "strong", "i": "em"}
VOID_TAGS = {"br"}
DROP_CONTENT_TAGS = {"script", "style", "template", "iframe", "object", "noscript", "textarea", "title"}
SAFE_SCHEMES = {"http", "https", "mailto"}
LINK_ATTRIBUTES = ' target="_blank" rel="noopener noreferrer nofollow"'


def safe_href(value):
    """The URL if it is an absolute http(s) or mailto address, else None."""
    value = (value or "").strip()
    # Control characters and white space inside a scheme are how "java\nscript:" slips through.
    if not value or any(ord(char) < 33 for char in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return None
    if parts.scheme.lower() in {"http", "https"} and not parts.netloc:
        return None
    return value


class _Sanitizer(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.open = []  # allowed tags opened and not yet closed, innermost last
        self.dropping = 0  # depth inside script/style

    def handle_starttag(self, tag, attrs):
        if tag in DROP_CONTENT_TAGS:
            self.dropping += 1
            return
        if self.dropping:
            return
        tag = RENAMED_TAGS.get(tag, tag)
        if tag not in ALLOWED_TAGS:
            return
        if tag == "a":
            href = safe_href(dict(attrs).get("href"))
            if href is None:
                # A link without a safe address becomes its text.
                self.open.append("a-dropped")
                return
            self.out.append(f'<a href="{escape(href, quote=True)}"{LINK_ATTRIBUTES}>')
        elif tag in VOID_TAGS:
            self.out.append(f"<{tag}>")
            return
        else:
            self.out.append(f"<{tag}>")
        self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag in DROP_CONTENT_TAGS:
            return  # "<script/>" opens nothing
        self.handle_starttag(tag, attrs)
        tag = RENAMED_TAGS.get(tag, tag)
        if tag in ALLOWED_TAGS and tag not in VOID_TAGS and self.open and self.open[-1] in {tag, "a-dropped"}:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in DROP_CONTENT_TAGS:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping:
            return
        tag = RENAMED_TAGS.get(tag, tag)
        if tag not in ALLOWED_TAGS or tag in VOID_TAGS:
            return
        names = ["a" if name == "a-dropped" else name for name in self.open]
        if tag not in names:
            return
        # Close everything opened inside it too, so the output is always well nested.
        while self.open:
            name = self.open.pop()
            if name != "a-dropped":
                self.out.append(f"</{name}>")
            if (name == "a-dropped" and tag == "a") or name == tag:
                break

    def handle_data(self, data):
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def result(self):
        self.close()
        while self.open:
            name = self.open.pop()
            if name != "a-dropped":
                self.out.append(f"</{name}>")
        return "".join(self.out).strip()


def sanitize_answer(html):
    """Answer HTML with only links (http, https, mailto), p, br, strong, em, ul, ol and li left."""
    parser = _Sanitizer()
    parser.feed(html or "")
    return parser.result()


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag in {"p", "br", "li"}:
            self.parts.append(" ")


def answer_text(html):
    """The plain text of (sanitized) answer HTML, for the search index."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    return " ".join("".join(parser.parts).split())
