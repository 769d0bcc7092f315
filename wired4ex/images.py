"""The pixel limit for uploaded images, checked from the file's header before anything decodes
it: a 2 MB PNG can claim 40,000 x 40,000 pixels and take gigabytes of memory to open."""

import io
import warnings

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 25_000_000  # 25 megapixels: a 6000 x 4000 photograph passes
# Pillow's own guard: it warns above this and refuses twice this, whoever opens an image.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

TOO_MANY_PIXELS = _l(
    "This image is too large: %(width)d x %(height)d pixels. Images may have at most 25 "
    "megapixels; please send a smaller one."
)


def pixel_problem(data: bytes) -> str | None:
    """Why an image is refused for its size (read from its header only), or None. Files that are
    not images Pillow knows are left to the caller's own type check."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header, decodes nothing
                width, height = image.size
    except Image.DecompressionBombError:
        return str(_l("This image is too large. Images may have at most 25 megapixels."))
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if width * height > MAX_PIXELS:
        return str(TOO_MANY_PIXELS % {"width": width, "height": height})
    return None
