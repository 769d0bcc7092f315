"""Course images: which files a media/ folder may hold, recognised by their bytes."""

import re
from pathlib import Path
from xml.etree import ElementTree

MAX_MEDIA_BYTES = 2 * 1024 * 1024
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def image_type(data: bytes) -> str | None:
    """The image content type by magic bytes (PNG, JPEG, GIF, WebP), or None."""
    for signature, content_type in IMAGE_SIGNATURES.items():
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


# -- SVG --------------------------------------------------------------------------------------
# An SVG is a document that can run script and load other files. Course SVGs are accepted only
# after cleaning to the drawing elements and attributes below, and are served with a CSP that
# forbids everything but inline styles, and shown only through <img> (where browsers run no
# script in any case). What cannot be parsed, or declares entities, is refused.

SVG_TYPE = "image/svg+xml"
SVG_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "textPath", "title", "desc", "defs", "symbol", "use", "marker", "linearGradient",
    "radialGradient", "stop", "clipPath", "mask", "pattern", "metadata",
}  # fmt: skip
SVG_ATTRIBUTES = {
    "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
    "d", "points", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset",
    "stroke-miterlimit", "opacity", "transform", "font-family", "font-size", "font-weight",
    "font-style", "text-anchor", "dominant-baseline", "dx", "dy", "rotate", "textLength",
    "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod",
    "fx", "fy", "patternUnits", "patternTransform", "clipPathUnits", "maskUnits",
    "markerWidth", "markerHeight", "refX", "refY", "orient", "markerUnits", "preserveAspectRatio",
    "clip-path", "mask", "marker-start", "marker-mid", "marker-end", "id", "class", "style",
    "version", "visibility", "display", "letter-spacing", "word-spacing", "text-decoration",
    "vector-effect", "shape-rendering", "color", "startOffset", "lengthAdjust",
}  # fmt: skip
_EXTERNAL_URL = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)", re.I)
_UNSAFE_STYLE = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.I)
MAX_SVG_ELEMENTS = 20_000


class SvgRefused(ValueError):
    """An SVG that cannot be cleaned; the message says why, for the author."""


def looks_like_svg(name: str, data: bytes) -> bool:
    """An .svg file, or bytes that start (after an XML declaration or comments) with <svg."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return name.lower().endswith(".svg") or head.startswith((b"<svg", b"<?xml"))


def _local(name: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


def sanitize_svg(data: bytes) -> bytes:
    """The SVG with only drawing elements and attributes left: no script, foreign objects,
    event handlers, links or references to other files. SvgRefused when it cannot be read."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise SvgRefused("the SVG file is not UTF-8 text") from error
    if re.search(r"<!(?:DOCTYPE|ENTITY)", text, re.I):
        raise SvgRefused("SVG files may not declare a DOCTYPE or entities")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise SvgRefused(f"the SVG file is not well-formed XML ({error})") from error
    if _local(root.tag) != (SVG_NS, "svg"):
        raise SvgRefused(
            "the file is not an SVG image (its root must be <svg> in the SVG namespace)"
        )
    if sum(1 for _ in root.iter()) > MAX_SVG_ELEMENTS:
        raise SvgRefused(f"the SVG has more than {MAX_SVG_ELEMENTS:,} elements")
    _clean(root)
    ElementTree.register_namespace("", SVG_NS)
    ElementTree.register_namespace("xlink", XLINK_NS)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _clean(element) -> None:
    for child in list(element):
        namespace, local = _local(child.tag) if isinstance(child.tag, str) else ("", "")
        if namespace != SVG_NS or local not in SVG_ELEMENTS:
            element.remove(child)  # script, foreignObject, image, a, animate, set, style ...
            continue
        _clean(child)
    for name, value in list(element.attrib.items()):
        namespace, local = _local(name)
        keep = False
        if namespace == XLINK_NS and local == "href" or (not namespace and local == "href"):
            keep = value.strip().startswith("#")  # a reference inside this file only
        elif not namespace and local in SVG_ATTRIBUTES:
            keep = not _EXTERNAL_URL.search(value) and not _UNSAFE_STYLE.search(value)
        if not keep:
            del element.attrib[name]


def load_media(report, media: dict[str, tuple[bytes, str]], folder: Path) -> None:
    """Read a course's media/ folder into media (name -> (bytes, type)); report(path, line,
    message) what is refused. SVGs are stored cleaned."""
    if not folder.is_dir():
        return
    for child in sorted(folder.rglob("*")):
        if not child.is_file() or child.name.startswith("."):
            continue
        name = child.relative_to(folder).as_posix()
        data = child.read_bytes()
        content_type = image_type(data)
        if content_type is None and looks_like_svg(child.name, data):
            if not child.name.lower().endswith(".svg"):
                report(child, 1, "the file holds an SVG image: give it the .svg ending")
                continue
            try:
                data, content_type = sanitize_svg(data), SVG_TYPE
            except SvgRefused as error:
                report(child, 1, f"SVG image refused: {error}")
                continue
        if content_type is None:
            report(child, 1, "media files must be PNG, JPEG, GIF, WebP or SVG images")
        elif len(data) > MAX_MEDIA_BYTES:
            report(child, 1, f"image larger than {MAX_MEDIA_BYTES // (1024 * 1024)} MB")
        else:
            media[name] = (data, content_type)
