"""
What a file in a chat really is, decided from its bytes, never from its name
or the type the browser claims (chat.conversations.attachments stores the
result). Each kind is checked by opening it as what it says it is:

- images (PNG, JPEG, GIF, WebP) are opened by Pillow, limited to those four
  decoders, bounded in pixels before anything is decoded, and re-encoded: the
  stored image is the new one, so no EXIF (GPS), XMP, ICC profile or text
  chunk of the original survives, and what a browser shows inline is what
  Pillow wrote. An animated GIF or WebP keeps its first frame only: a still is
  enough for a support chat, and decoding every frame of an animation is what
  a decompression bomb asks for;
- PDF by its header;
- office documents by their structure: OOXML (docx, xlsx, pptx) is a zip whose
  ``[Content_Types].xml`` names the main part; ODF a zip whose first entry
  ``mimetype`` names it; legacy Word, Excel and PowerPoint are OLE2 files with
  their main stream (olefile). Macro-enabled documents are refused;
- text: UTF-8, no NUL, and nothing a browser would take for HTML, SVG or XML
  (the WHATWG MIME sniffing patterns, anywhere near the start, and the tags
  that make a page of it anywhere).

Why no magic-number library: ``filetype`` and ``puremagic`` (libmagic is not
installed) look at the first bytes only. They call every OOXML and ODF file a
zip, every legacy Office file "OLE2" (an .msi installer too), a PNG with an
HTML tail a PNG, and they know nothing of text that is really HTML. Each
allowed kind needs a structural check anyway, and for that Pillow, zipfile and
olefile are the maintained parsers; a library in front of them would only add
a second, weaker opinion.
"""

import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

import olefile
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from chat.conversations.errors import ChatError


class FileRefused(ChatError):
    """A file the channel does not take."""


class FileTypeNotAllowed(FileRefused):
    code = "file_type_not_allowed"
    message = _("This kind of file cannot be sent here.")
    http_status = 415

    def __init__(self, allowed_kinds=()):
        labels = ", ".join(str(KIND_LABELS[kind]) for kind in KINDS if kind in allowed_kinds)
        super().__init__(_("This kind of file cannot be sent here. Allowed are: %(kinds)s.") % {"kinds": labels})


class FileTooLarge(FileRefused):
    code = "file_too_large"
    message = _("The file is too large.")
    http_status = 413

    def __init__(self, max_bytes=None):
        if max_bytes is None:
            super().__init__()
        else:
            super().__init__(
                _("The file is too large: at most %(size)s may be sent here.") % {"size": format_size(max_bytes)}
            )


class FileEmpty(FileRefused):
    code = "file_empty"
    message = _("The file is empty.")


# The kinds a channel may allow (Channel.attachment_kinds), in the order the admin shows them.
IMAGES, PDF, OFFICE, TEXT = "images", "pdf", "office", "text"
KINDS = (IMAGES, PDF, OFFICE, TEXT)
KIND_LABELS = {
    IMAGES: _("images (PNG, JPEG, GIF, WebP)"),
    PDF: _("PDF"),
    OFFICE: _("office documents (Word, Excel, PowerPoint, OpenDocument)"),
    TEXT: _("text files"),
}

# Content type -> (kind, the extension a file of it gets).
TYPES = {
    "image/png": (IMAGES, "png"),
    "image/jpeg": (IMAGES, "jpg"),
    "image/gif": (IMAGES, "gif"),
    "image/webp": (IMAGES, "webp"),
    "application/pdf": (PDF, "pdf"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (OFFICE, "docx"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (OFFICE, "xlsx"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (OFFICE, "pptx"),
    "application/vnd.oasis.opendocument.text": (OFFICE, "odt"),
    "application/vnd.oasis.opendocument.spreadsheet": (OFFICE, "ods"),
    "application/vnd.oasis.opendocument.presentation": (OFFICE, "odp"),
    "application/msword": (OFFICE, "doc"),
    "application/vnd.ms-excel": (OFFICE, "xls"),
    "application/vnd.ms-powerpoint": (OFFICE, "ppt"),
    "text/plain": (TEXT, "txt"),
}
# Names a text file may keep: all of them are shown as plain text.
TEXT_EXTENSIONS = {"txt", "csv", "log", "md"}
# Other spellings of an extension that mean the same type.
SAME_EXTENSION = {"jpeg": "jpg", "jpe": "jpg"}

PILLOW_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
# 40 megapixels: more than any phone camera takes (a 12 MP photo is 4000 x
# 3000); decoded as RGBA it is 160 MB, which is as much as one upload may cost.
MAX_IMAGE_PIXELS = 40_000_000
JPEG_QUALITY = 88

# The main part of each OOXML type, as [Content_Types].xml names it.
OOXML_MAIN_PARTS = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
# [Content_Types].xml is a few kilobytes; one that is not is not an office document.
MAX_CONTENT_TYPES_BYTES = 256 * 1024
ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": "application/vnd.oasis.opendocument.text",
    b"application/vnd.oasis.opendocument.spreadsheet": "application/vnd.oasis.opendocument.spreadsheet",
    b"application/vnd.oasis.opendocument.presentation": "application/vnd.oasis.opendocument.presentation",
}
# The main stream of each legacy Office type.
OLE_STREAMS = (
    ("WordDocument", "application/msword"),
    ("Workbook", "application/vnd.ms-excel"),
    ("Book", "application/vnd.ms-excel"),
    ("PowerPoint Document", "application/vnd.ms-powerpoint"),
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# How far into a text file a browser's sniffer looks (WHATWG MIME Sniffing:
# 1445 bytes), and the patterns that make it guess HTML, XML or a script-able
# type after leading white space.
SNIFF_BYTES = 1445
SNIFFED_STARTS = re.compile(
    rb"\s*(?:(?:<!doctype\s+html|<html|<head|<script|<iframe|<h1|<div|<font|<table|<a|<style|<title|<b|<body"
    rb"|<br|<p|<svg|<!--)(?:[\s>/]|$)|<\?xml|%pdf-|%!ps-adobe-)",
    re.IGNORECASE,
)
# C0 controls other than tab, line feed, form feed and carriage return, DEL,
# and the C1 controls as UTF-8: not text anyone writes.
CONTROL_CHARACTERS = re.compile(rb"[\x01-\x08\x0b\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")
# Tags that make a page of a text wherever they are.
ACTIVE_TAGS = re.compile(rb"<\s*(?:script|html|body|iframe|svg|object|embed|meta|\?xml|!doctype)\b", re.IGNORECASE)

MAX_NAME_LENGTH = 120


@dataclass(frozen=True)
class CheckedFile:
    """A file as it will be stored: its bytes (re-encoded for images), clean name and detected type."""

    content: bytes
    name: str
    content_type: str
    is_image: bool = False
    width: int | None = None
    height: int | None = None

    @property
    def size(self):
        return len(self.content)


@dataclass(frozen=True)
class FileLimits:
    """What a channel takes: whether files at all, how large, which types (the clients' ``files``)."""

    enabled: bool
    max_bytes: int
    kinds: frozenset

    @property
    def accept(self):
        return ",".join(accept_types(self.kinds))

    def payload(self):
        return {"enabled": self.enabled, "max_bytes": self.max_bytes, "accept": self.accept}


def file_limits(channel):
    kinds = frozenset(allowed_kinds(channel))
    return FileLimits(
        enabled=bool(channel.attachments_enabled and kinds),
        max_bytes=channel.attachment_max_mb * 1024 * 1024,
        kinds=kinds,
    )


def allowed_kinds(channel):
    """The kinds the channel takes, from its comma-separated setting."""
    return {kind.strip() for kind in (channel.attachment_kinds or "").split(",")} & set(KINDS)


def accept_types(kinds):
    """
    The content types of these kinds, then their extensions, for a file
    picker's ``accept`` (some systems know no type for .odt or .md files).
    """
    types = [content_type for content_type, (kind, _ext) in TYPES.items() if kind in kinds]
    extensions = [ext for kind, ext in TYPES.values() if kind in kinds]
    if TEXT in kinds:
        extensions += sorted(TEXT_EXTENSIONS - set(extensions))
    if IMAGES in kinds:
        extensions.append("jpeg")
    return types + [f".{ext}" for ext in extensions]


def check_file(content, *, name, kinds, max_bytes):
    """
    The file as it will be stored, or FileEmpty, FileTooLarge or
    FileTypeNotAllowed. ``content`` is the whole upload; ``name`` the
    browser's file name, used only as the name shown.
    """
    if not content:
        raise FileEmpty()
    if len(content) > max_bytes:
        raise FileTooLarge(max_bytes)
    checked = _detect(content, kinds)
    if checked is None:
        raise FileTypeNotAllowed(kinds)
    content, content_type, width, height = checked
    if len(content) > max_bytes:
        raise FileTooLarge(max_bytes)  # a re-encoded image may come out larger than it went in
    kind, _extension = TYPES[content_type]
    return CheckedFile(
        content=content,
        name=clean_name(name, content_type),
        content_type=content_type,
        is_image=kind == IMAGES,
        width=width,
        height=height,
    )


def _detect(content, kinds):
    """(content, content_type, width, height) for a file of an allowed kind, else None."""
    if IMAGES in kinds and (image := _reencoded_image(content)) is not None:
        return image
    if PDF in kinds and content.startswith(b"%PDF-"):
        return content, "application/pdf", None, None
    if OFFICE in kinds and (office_type := _office_type(content)) is not None:
        return content, office_type, None, None
    if TEXT in kinds and _is_plain_text(content):
        return content, "text/plain", None, None
    return None


def _reencoded_image(content):
    """The image drawn anew by Pillow, without metadata; None when it is not one of the four formats."""
    try:
        with warnings.catch_warnings():
            # Pillow warns of a large image before it raises for a huge one: both are refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=list(PILLOW_FORMATS)) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS or not width or not height:
                    return None
                image_format = image.format
                image.seek(0)  # the first frame of an animation
                image.load()
                return _encode(image, image_format)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Not an image Pillow can read in an allowed format, or a broken one.
        return None


def _encode(image, image_format):
    # Turned as the camera meant before the EXIF that said so goes.
    image = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif image_format == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            image = image.convert("RGBA")
        # Only the transparency goes along; text chunks, eXIf, iCCP do not.
        params = {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
        image.save(out, "PNG", optimize=True, **params)
    elif image_format == "GIF":
        params = {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
        image.save(out, "GIF", save_all=False, **params)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "WEBP", quality=JPEG_QUALITY)
    return out.getvalue(), PILLOW_FORMATS[image_format], image.width, image.height


def _office_type(content):
    if content.startswith(b"PK\x03\x04"):
        return _zip_office_type(content)
    if content.startswith(OLE_MAGIC):
        return _ole_office_type(content)
    return None


def _zip_office_type(content):
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if infos and infos[0].filename == "mimetype":
                return _odf_type(archive, infos[0], names)
            if "[Content_Types].xml" in names:
                return _ooxml_type(archive, names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None
    return None


def _ooxml_type(archive, names):
    # Macros live in a vbaProject part; such a document is refused whatever it says it is.
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        return None
    content_types = archive.read(info)
    if b"macroEnabled" in content_types:
        return None
    found = {office_type for main, office_type in OOXML_MAIN_PARTS.items() if main in content_types}
    return found.pop() if len(found) == 1 else None


def _odf_type(archive, mimetype_info, names):
    if mimetype_info.file_size > 100:
        return None
    # Basic and script macros of an ODF document.
    if any(name.startswith(("Basic/", "Scripts/")) for name in names):
        return None
    return ODF_TYPES.get(archive.read(mimetype_info).strip())


def _ole_office_type(content):
    try:
        with olefile.OleFileIO(io.BytesIO(content)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
    except (OSError, ValueError, IndexError, TypeError):
        return None
    lowered = {stream.lower() for stream in streams}
    if any(name in lowered for name in ("macros", "_vba_project_cur", "vba")) or any(
        "vba" in stream.split("/")[0] for stream in lowered
    ):
        return None
    for stream, office_type in OLE_STREAMS:
        if stream in streams:
            return office_type
    return None


def _is_plain_text(content):
    if b"\x00" in content or CONTROL_CHARACTERS.search(content):
        return False
    try:
        # Strict UTF-8: Python refuses encoded surrogates and overlong forms.
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    head = content.removeprefix(b"\xef\xbb\xbf")[:SNIFF_BYTES]
    return not (SNIFFED_STARTS.match(head) or ACTIVE_TAGS.search(content))


def clean_name(name, content_type):
    """
    The name shown and offered for download: the last part of the browser's
    name, without control or format characters or lone surrogates, at most
    MAX_NAME_LENGTH characters, with the extension of the detected type.
    """
    name = name if isinstance(name, str) else ""
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        char for char in unicodedata.normalize("NFC", name) if unicodedata.category(char) not in ("Cc", "Cf", "Cs")
    )
    name = name.strip().strip(".").strip()
    kind, extension = TYPES[content_type]
    stem, dot, given = name.rpartition(".")
    if not dot:
        stem, given = name, ""
    given = SAME_EXTENSION.get(given.lower(), given.lower())
    if given == extension or (kind == TEXT and given in TEXT_EXTENSIONS):
        extension = given
    else:
        stem = name
    stem = stem.strip() or str(_("file"))
    return f"{stem[: MAX_NAME_LENGTH - len(extension) - 1]}.{extension}"


def format_size(size):
    """A size as people read it: 512 bytes, 12 KB, 3.4 MB."""
    if size < 1024:
        return _("%(size)d bytes") % {"size": size}
    if size < 1024 * 1024:
        return _("%(size)d KB") % {"size": round(size / 1024)}
    megabytes = size / (1024 * 1024)
    shown = f"{megabytes:.0f}" if megabytes == int(megabytes) else formats.number_format(megabytes, decimal_pos=1)
    return _("%(size)s MB") % {"size": shown}
