"""Images uploaded into a course's media from the editor."""

import hashlib
import io
import re
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from wired4ex.authoring.services import AuthoringError
from wired4ex.catalog.models import Course, CourseMedia
from wired4ex.extensions import db
from wired4ex.images import pixel_problem

MAX_IMAGE_BYTES = 2 * 1024 * 1024


def add_image(course: Course, upload, alt_name: str | None = None) -> CourseMedia:
    """Check, re-encode (dropping metadata) and store a PNG or JPEG in the course's media; commits."""
    data = upload.stream.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise AuthoringError(_l("Images must be 2 MB or smaller."))
    if problem := pixel_problem(data):
        raise AuthoringError(problem)
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            if kind not in ("PNG", "JPEG"):
                raise AuthoringError(_l("Images must be PNG or JPEG files."))
            image.load()
            output = io.BytesIO()
            clean = image.convert("RGBA" if kind == "PNG" else "RGB")
            clean.save(output, format=kind, optimize=True)  # a fresh file: no EXIF, no text chunks
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise AuthoringError(_l("Images must be PNG or JPEG files.")) from error
    stem = (
        re.sub(r"[^a-z0-9]+", "-", Path(upload.filename or "image").stem.lower()).strip("-")[:60]
        or "image"
    )
    extension = ".png" if kind == "PNG" else ".jpg"
    taken = {media.name for media in course.media}
    name, number = f"{stem}{extension}", 2
    while name in taken:
        name, number = f"{stem}-{number}{extension}", number + 1
    payload = output.getvalue()
    media = CourseMedia(course_id=course.id, name=name, content_type=f"image/{'png' if kind == 'PNG' else 'jpeg'}",
                        data=payload, sha256=hashlib.sha256(payload).hexdigest())  # fmt: skip
    db.session.add(media)
    db.session.commit()
    return media
