"""What a file is, decided from its bytes (chat.conversations.file_checks): each kind, the lies, and the names."""

import io

import pytest
from PIL import Image

from chat.conversations.file_checks import (
    KINDS,
    MAX_IMAGE_PIXELS,
    FileEmpty,
    FileTooLarge,
    FileTypeNotAllowed,
    check_file,
    clean_name,
)
from tests.chat.files import HTML, PDF, SVG, TEXT_THAT_IS_HTML, docx, jpeg_with_gps, ole2, png, zipped

ALL = set(KINDS)
MB = 1024 * 1024
OOXML_TYPES = '<?xml version="1.0"?><Types><Override PartName="/x" ContentType="{}"/></Types>'
DOCX_TYPES = OOXML_TYPES.format("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")


def check(content, name="file", kinds=ALL, max_bytes=10 * MB):
    return check_file(content, name=name, kinds=kinds, max_bytes=max_bytes)


def test_images_are_re_encoded_in_their_own_format_without_metadata():
    photo = check(jpeg_with_gps(), "IMG_0001.JPEG")
    assert (photo.content_type, photo.name, photo.is_image, photo.width, photo.height) == (
        "image/jpeg",
        "IMG_0001.jpg",
        True,
        64,
        48,
    )
    with Image.open(io.BytesIO(photo.content)) as image:
        assert image.format == "JPEG" and not image.getexif()
    shot = check(png(text="Author: me"), "shot.png")
    assert shot.content_type == "image/png" and b"Author" not in shot.content


def test_a_turned_photo_is_stored_upright_once_its_exif_is_gone():
    image = Image.new("RGB", (40, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° to show
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    checked = check(out.getvalue(), "turned.jpg")
    assert (checked.width, checked.height) == (20, 40)


def test_an_animated_gif_keeps_its_first_frame_only():
    frames = [Image.new("P", (8, 8), colour) for colour in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    checked = check(out.getvalue(), "dance.gif")
    with Image.open(io.BytesIO(checked.content)) as image:
        assert image.format == "GIF" and getattr(image, "n_frames", 1) == 1


def test_webp_is_re_encoded_as_webp():
    out = io.BytesIO()
    Image.new("RGB", (5, 5), "red").save(out, "WEBP")
    assert check(out.getvalue(), "x.webp").content_type == "image/webp"


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded():
    side = int(MAX_IMAGE_PIXELS**0.5) + 100
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")  # a few kilobytes that would decode to hundreds of megabytes
    assert len(out.getvalue()) < MB
    with pytest.raises(FileTypeNotAllowed):
        check(out.getvalue(), "bomb.png")


@pytest.mark.parametrize(
    ("content", "content_type", "name"),
    [
        (PDF, "application/pdf", "a.pdf"),
        (docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a.docx"),
        (
            zipped(
                {
                    "[Content_Types].xml": OOXML_TYPES.format(
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
                    )
                }
            ),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "a.xlsx",
        ),
        (
            zipped({"content.xml": "<x/>"}, first=("mimetype", "application/vnd.oasis.opendocument.text")),
            "application/vnd.oasis.opendocument.text",
            "a.odt",
        ),
        (ole2(("WordDocument", "stream")), "application/msword", "a.doc"),
        (ole2(("Workbook", "stream")), "application/vnd.ms-excel", "a.xls"),
        (ole2(("PowerPoint Document", "stream")), "application/vnd.ms-powerpoint", "a.ppt"),
        ("Grüße\nOrder 4711 < 5000 > 3\n".encode(), "text/plain", "a.txt"),
        (b"\xef\xbb\xbfid;name\n1;Erika\n", "text/plain", "a.csv"),
    ],
)
def test_each_allowed_type_is_told_by_its_content(content, content_type, name):
    checked = check(content, name)
    assert (checked.content_type, checked.name, checked.is_image) == (content_type, name, False)
    assert checked.content == content


@pytest.mark.parametrize(
    "content",
    [
        HTML,
        SVG,
        TEXT_THAT_IS_HTML,
        b"  <p>Hello</p>",
        b"<?xml version='1.0'?><note/>",
        b"plain\x00text",
        b"caf\xe9 (latin-1)",
        b"bell \x07 text",
        b"PK\x03\x04 not a zip at all",
        zipped({"a.txt": "just a zip"}),
        # A Word document with macros (docm), and one that hides a VBA project.
        zipped({"[Content_Types].xml": OOXML_TYPES.format("application/vnd.ms-word.document.macroEnabled.main+xml")}),
        zipped({"[Content_Types].xml": DOCX_TYPES, "word/vbaProject.bin": "x"}),
        zipped({"Basic/script.xml": "x"}, first=("mimetype", "application/vnd.oasis.opendocument.text")),
        ole2(("WordDocument", "stream"), ("Macros", "storage")),
        # An OLE2 file that is no document: an installer, say.
        ole2(("Summary", "stream")),
        b"MZ\x90\x00" + b"\x00" * 100,
    ],
)
def test_what_is_none_of_the_allowed_kinds_is_refused(content):
    with pytest.raises(FileTypeNotAllowed):
        check(content, "innocent.txt")


def test_only_the_channels_kinds_are_taken_and_the_message_names_them():
    with pytest.raises(FileTypeNotAllowed) as refused:
        check(PDF, "a.pdf", kinds={"images", "text"})
    assert "images (PNG, JPEG, GIF, WebP)" in str(refused.value.message) and "PDF" not in str(refused.value.message)
    assert check(png(), "a.png", kinds={"images"}).is_image


def test_empty_and_too_large_files_are_refused():
    with pytest.raises(FileEmpty):
        check(b"")
    with pytest.raises(FileTooLarge) as refused:
        check(PDF + b"0" * MB, max_bytes=MB)
    assert "1 MB" in str(refused.value.message)


@pytest.mark.parametrize(
    ("given", "content_type", "expected"),
    [
        ("../../etc/passwd.pdf", "application/pdf", "passwd.pdf"),
        ("C:\\Users\\erika\\Rechnung März.pdf", "application/pdf", "Rechnung März.pdf"),
        ("cat.png", "image/jpeg", "cat.png.jpg"),
        ("photo.JPEG", "image/jpeg", "photo.jpg"),
        ("report", "application/pdf", "report.pdf"),
        ("notes.md", "text/plain", "notes.md"),
        ("page.html", "text/plain", "page.html.txt"),
        ("bad\x00\x1b[31mname\u202e.pdf", "application/pdf", "bad[31mname.pdf"),
        ("half\ud800.pdf", "application/pdf", "half.pdf"),
        ("...", "application/pdf", "file.pdf"),
        ("", "image/png", "file.png"),
        ("x" * 500 + ".pdf", "application/pdf", "x" * 116 + ".pdf"),
    ],
)
def test_names_are_cleaned_and_keep_the_extension_of_their_type(given, content_type, expected):
    assert clean_name(given, content_type) == expected
