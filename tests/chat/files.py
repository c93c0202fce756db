"""Files for the attachment tests, made in the test: images with metadata, documents, and files that lie about themselves."""

import io
import shutil
import zipfile
from pathlib import Path

from django.conf import settings
from PIL import Image

from tests.support.http import SITE_ORIGIN

# A minimal valid PDF: header, one empty page, trailer.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
TEXT_THAT_IS_HTML = b"Dear support,\n\nplease see below.\n\n<script>fetch('/agent/').then(r => r.text())</script>\n"
GPS_IFD = 0x8825


def jpeg_with_gps(size=(64, 48)):
    """A photo as a phone takes it: EXIF with the camera's make and a GPS position."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png(size=(10, 10), text=None):
    from PIL import PngImagePlugin

    image = Image.new("RGBA", size, (0, 128, 255, 200))
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Comment", text)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def docx():
    """The parts of a Word document that its type is told by."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def customer_headers(token):
    return {"X-Chat-Token": token, "Origin": SITE_ORIGIN}


def empty_file_storage():
    """Remove every stored chat file of the test run (the file system storage of the tests)."""
    root = Path(settings.STORAGES["attachments"]["OPTIONS"]["location"])
    if root.exists():
        shutil.rmtree(root)


def ole2(*entries):
    """
    A minimal OLE2 compound file (the container of legacy .doc, .xls, .ppt and
    of .msi installers) with the given entries: (name, "stream") of 4 KiB or
    (name, "storage"), written by hand since no library here writes one.
    """
    import struct

    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    stream_sectors = 8  # 4096 bytes: at the mini-stream cutoff, so a regular stream
    names = [("Root Entry", 5)] + [(name, 2 if kind == "stream" else 1) for name, kind in entries]
    directory_sectors = (len(names) + 3) // 4
    fat = [fat_sector] + [end if i == directory_sectors - 1 else 1 + i + 1 for i in range(directory_sectors)]
    data_start = 1 + directory_sectors
    streams = [name for name, kind in entries if kind == "stream"]
    starts = {}
    for number, name in enumerate(streams):
        first = data_start + number * stream_sectors
        starts[name] = first
        fat += [first + i + 1 for i in range(stream_sectors - 1)] + [end]
    fat += [free] * (128 - len(fat))

    def entry(index, name, kind):
        encoded = (name + "\0").encode("utf-16-le")
        child = 1 if kind == 5 and len(names) > 1 else no_stream
        right = index + 1 if kind != 5 and index + 1 < len(names) else no_stream
        start = starts.get(name, end if kind == 5 else 0)
        size = stream_sectors * 512 if name in starts else 0
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, no_stream, right, child)
            + b"\0" * 16
            + struct.pack("<I", 0)
            + b"\0" * 16
            + struct.pack("<IQ", start, size)
        )

    directory = b"".join(entry(i, name, kind) for i, (name, kind) in enumerate(names))
    directory = directory.ljust(directory_sectors * 512, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + b"\x42" * (512 * stream_sectors * len(streams))


def zipped(files, *, first=None):
    """A zip of {name: content}; ``first`` is stored first and uncompressed (as ODF's mimetype)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if first is not None:
            archive.writestr(zipfile.ZipInfo(first[0]), first[1], compress_type=zipfile.ZIP_STORED)
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()
