"""Generate a membership register CSV for the import tests and benchmark.

    .venv/bin/python bench/register_csv.py --rows 5000 --bad 12 --out register.csv

Rows look like a real register: names with apostrophes, accents and commas (quoted), countries as
codes and English names, some numbers kept from the old register and some left empty, life and
honorary members without a renewal date. `--bad N` spoils N rows, each in a different way, and
prints their line numbers.
"""

import argparse
import csv
import io
import random
import sys
from datetime import date, timedelta

HEADER = ["name", "email", "category", "membership_number", "start_date", "renewal_date", "country"]
FIRST = ["Wanjiru", "Achieng'", "Mũthoni", "Nakato", "Amani", "Baraka", "Zawadi", "Kiprop", "Chébet",
         "Mwajuma", "Ochieng", "Nyokabi", "Tesfaye", "Uwase", "Habimana", "Ayan", "Jok", "Imani"]  # fmt: skip
LAST = ["Ng'ang'a", "Otieno", "Kamau", "Mwangi", "Okello", "Mushi", "Nkurunziza", "Abebe", "Deng",
        "Wekesa", "Kariuki", "Odhiambo, Jr.", "Said", "Mutua", "Njoroge"]  # fmt: skip
COUNTRIES = ["KE", "Kenya", "UG", "Uganda", "tz", "Tanzania", "RW", "Rwanda", "Burundi", "ET",
             "South Sudan", "Democratic Republic of the Congo"]  # fmt: skip
CATEGORIES = ["professional"] * 6 + ["student"] * 2 + ["associate", "life", "honorary"]
BAD_KINDS = [
    ("email", "not-an-address"),
    ("category", "platinum"),
    ("start_date", "31/03/2024"),
    ("renewal_date", "2025-02-30"),
    ("country", "Atlantis"),
    ("membership_number", "HSM 2020 #1"),
    ("name", ""),
    ("start_date", "1850-01-01"),
    ("duplicate_email", None),
    ("duplicate_number", None),
    ("category", "corporate"),
    ("email", ""),
]


def register_rows(count: int, seed: int = 17, domain: str = "register.example") -> list[list[str]]:
    """`count` valid rows (header excluded); e-mails and numbers are unique."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        category = rng.choice(CATEGORIES)
        start = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
        renewal = ""
        if category not in ("life", "honorary"):
            renewal = (start + timedelta(days=365 * rng.randint(1, 12))).isoformat()
        number = f"HSM-{start.year}-{index + 1:05d}" if index % 3 else ""
        rows.append([
            f"{rng.choice(FIRST)} {rng.choice(LAST)}", f"member{index}.{seed}@{domain}", category,
            number, start.isoformat(), renewal, rng.choice(COUNTRIES),
        ])  # fmt: skip
    return rows


def spoil(rows: list[list[str]], bad: int, seed: int = 5) -> list[int]:
    """Spoil `bad` rows (each a different way, cycling through BAD_KINDS); returns their CSV lines
    (line 1 is the header, so row i is on line i + 2)."""
    rng = random.Random(seed)
    chosen = sorted(rng.sample(range(1, len(rows)), bad))
    for kind_index, index in enumerate(chosen):
        column, value = BAD_KINDS[kind_index % len(BAD_KINDS)]
        row = rows[index]
        if column == "duplicate_email":
            row[1] = rows[0][1].upper()  # the same address, in other letters
        elif column == "duplicate_number":
            row[3] = next(r[3] for r in rows if r[3] and r is not row)
        else:
            row[HEADER.index(column)] = value
    return [index + 2 for index in chosen]


def to_csv(rows: list[list[str]], bom: bool = True, crlf: bool = True) -> bytes:
    """The file as Excel's "CSV UTF-8" writes it: a byte-order mark and CRLF line endings."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n" if crlf else "\n").writerows([HEADER, *rows])
    return ("\ufeff" if bom else "").encode() + text.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--bad", type=int, default=0)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--out", default="-")
    args = parser.parse_args()
    rows = register_rows(args.rows, args.seed)
    lines = spoil(rows, args.bad) if args.bad else []
    data = to_csv(rows)
    if args.out == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(args.out, "wb") as handle:
            handle.write(data)
    if lines:
        print("bad lines:", " ".join(map(str, lines)), file=sys.stderr)


if __name__ == "__main__":
    main()
