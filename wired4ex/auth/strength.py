"""Password strength judged by zxcvbn (Dropbox's estimator, with its frequency lists), with the
member's own name and e-mail address as words an attacker would try first.

zxcvbn's feedback is English; each of its sentences is listed here so the catalogue translates
it (an unknown sentence is shown as zxcvbn wrote it)."""

from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

from wired4ex.auth.passwords import is_common_password

MIN_SCORE = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable" (about 10^10 guesses)
# zxcvbn refuses (ValueError) to judge more than 72 characters; a longer password is judged by
# its first 72, which is no weaker a test (the length limit itself is the form's Length rule).
ZXCVBN_MAX_CHARS = 72

FEEDBACK = {
    "Use a few words, avoid common phrases.": _l("Use a few words, avoid common phrases."),
    "No need for symbols, digits, or uppercase letters.": _l(
        "No need for symbols, digits, or uppercase letters."
    ),
    "Add another word or two. Uncommon words are better.": _l(
        "Add another word or two. Uncommon words are better."
    ),
    "Straight rows of keys are easy to guess.": _l("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Short keyboard patterns are easy to guess."),
    "Use a longer keyboard pattern with more turns.": _l(
        "Use a longer keyboard pattern with more turns."
    ),
    'Repeats like "aaa" are easy to guess.': _l('Repeats like "aaa" are easy to guess.'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _l(
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".'
    ),
    "Avoid repeated words and characters.": _l("Avoid repeated words and characters."),
    'Sequences like "abc" or "6543" are easy to guess.': _l(
        'Sequences like "abc" or "6543" are easy to guess.'
    ),
    "Avoid sequences.": _l("Avoid sequences."),
    "Recent years are easy to guess.": _l("Recent years are easy to guess."),
    "Avoid recent years.": _l("Avoid recent years."),
    "Avoid years that are associated with you.": _l("Avoid years that are associated with you."),
    "Dates are often easy to guess.": _l("Dates are often easy to guess."),
    "Avoid dates and years that are associated with you.": _l(
        "Avoid dates and years that are associated with you."
    ),
    "This is a top-10 common password.": _l("This is a top-10 common password."),
    "This is a top-100 common password.": _l("This is a top-100 common password."),
    "This is a very common password.": _l("This is a very common password."),
    "This is similar to a commonly used password.": _l(
        "This is similar to a commonly used password."
    ),
    "A word by itself is easy to guess.": _l("A word by itself is easy to guess."),
    "Names and surnames by themselves are easy to guess.": _l(
        "Names and surnames by themselves are easy to guess."
    ),
    "Common names and surnames are easy to guess.": _l(
        "Common names and surnames are easy to guess."
    ),
    "Capitalization doesn't help very much.": _l("Capitalization doesn't help very much."),
    "All-uppercase is almost as easy to guess as all-lowercase.": _l(
        "All-uppercase is almost as easy to guess as all-lowercase."
    ),
    "Reversed words aren't much harder to guess.": _l(
        "Reversed words aren't much harder to guess."
    ),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": _l(
        "Predictable substitutions like '@' instead of 'a' don't help very much."
    ),
}


def _personal_words(inputs) -> list[str]:
    words = []
    for value in inputs:
        if not value:
            continue
        value = str(value).strip().lower()
        words.append(value)
        words.extend(part for part in value.replace("@", " ").replace(".", " ").split() if part)
    return words


def password_problem(password: str, user_inputs=()) -> str | None:
    """Why a password is too easy to guess (zxcvbn's feedback, translated), or None."""
    verdict = zxcvbn(password[:ZXCVBN_MAX_CHARS], user_inputs=_personal_words(user_inputs))
    if verdict["score"] >= MIN_SCORE and not is_common_password(password):
        return None
    feedback = verdict.get("feedback") or {}
    sentences = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
    said = [str(FEEDBACK.get(sentence, sentence)) for sentence in sentences if sentence]
    lead = str(_l("This password is too easy to guess."))
    return " ".join([lead, *said])
