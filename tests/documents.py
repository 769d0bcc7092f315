"""Reading documents back in tests: PDF text with pdftotext, QR codes with pdftoppm and zbarimg
(poppler-utils and zbar-tools, which `make test` installs)."""

import re
import shutil
import subprocess


def require(tool: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} is needed (make test installs it with apt-get)"
    return path


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    return subprocess.run(
        [require("pdftotext"), "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def qr_of(data: bytes, tmp_path) -> str:
    """What the QR code on the first page of a PDF says (rendered at 150 dpi, read by zbarimg)."""
    (tmp_path / "qr.pdf").write_bytes(data)
    subprocess.run(
        [
            require("pdftoppm"),
            "-r",
            "150",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "qr.pdf"),
            str(tmp_path / "qr-page"),
        ],
        check=True,
    )
    (image,) = tmp_path.glob("qr-page*.png")
    return subprocess.run(
        [require("zbarimg"), "--raw", "-q", str(image)], capture_output=True, text=True
    ).stdout.strip()


def pdf_pages(data: bytes, tmp_path) -> tuple[int, float, float]:
    """(page count, width, height in points) of a PDF, by pdfinfo."""
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    info = subprocess.run([require("pdfinfo"), str(path)], capture_output=True, text=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    return count, width, height
