"""Links and images in course Markdown: the checks behind `flask content check`, and the
resolver that turns links to module files into module addresses."""

import posixpath
from urllib.parse import unquote, urlsplit

from wired4ex.markup import MarkupError, check_limits, check_markdown


def check_links(report, path, body, first_line, course, module_keys, found=None, warn=None):
    """Report (through report(path, line, message)) links and images that point nowhere or use
    a forbidden scheme (and, first, Markdown too long or too deeply nested to render: see
    wired4ex.markup). `found`: the (kind, url) list the renderer found in this very text at an
    earlier sync, to check an unchanged file without parsing it again. warn(path, line,
    message) gets the renderer's warnings."""
    lines = body.split("\n")

    def line_of(url: str) -> int:
        # Prefer the line where the URL stands as a link target: "](url", "<url>", "]: url".
        for pattern in (f"]({url}", f"<{url}>", f"]: {url}", url):
            for index, text in enumerate(lines):
                if pattern in text:
                    return first_line + index
        return first_line

    if found is None:
        limits = check_limits(body)
        for line, message in limits:
            report(path, first_line + line - 1, message)
        if limits:
            return
        try:
            checked = check_markdown(body)
        except MarkupError as error:  # the renderer gave up (nested too deeply): at its line
            report(path, first_line + error.line - 1, error.message)
            return
        found = checked.links
        for line, message in checked.problems:
            report(path, first_line + line - 1, message)
        for line, message in checked.warnings if warn else ():
            warn(path, first_line + line - 1, message)
    for kind, url in found:
        parts = urlsplit(url)
        if parts.scheme:
            if kind == "image":
                report(
                    path, line_of(url),
                    f"images must be files in the course's media/ folder (pictures from other sites are blocked): {url}",
                )  # fmt: skip
            elif parts.scheme.lower() not in {"http", "https", "mailto"}:
                report(path, line_of(url), f"links may only use http, https or mailto: {url}")
            continue
        if parts.netloc or url.startswith("//"):
            report(path, line_of(url), f"write external links in full (https://...): {url}")
            continue
        target = unquote(parts.path)
        if not target:
            continue  # an anchor on the same page
        normal = posixpath.normpath(target)
        if kind == "image" or normal.startswith("media/"):
            name = normal.removeprefix("media/")
            if not normal.startswith("media/") or name not in course.media:
                report(path, line_of(url), f"missing image or file: {target}")
        elif normal not in module_keys:
            report(path, line_of(url),
                        f"broken link: {target} (link to a module file of this course)")  # fmt: skip


def link_resolver(file_keys: dict[str, str]):
    """Rewrite links to module files ("02-budget.md#costs") as module addresses ("budget#costs").

    Module pages live at /courses/<institution>/<course>/<module id> and images at .../media/,
    so module and media links stay relative and work from the course and module pages alike.
    """

    def resolve(url: str, kind: str) -> str | None:
        parts = urlsplit(url)
        if kind != "link" or parts.scheme or parts.netloc:
            return None
        key = file_keys.get(posixpath.normpath(unquote(parts.path))) if parts.path else None
        if key is None:
            return None
        return key + (f"#{parts.fragment}" if parts.fragment else "")

    return resolve
