"""Modules with knowledge-check settings, for the attempt tests (written into a CourseTree)."""

from werkzeug.datastructures import MultiDict


def choice_pool(count: int) -> str:
    return "\n\n".join(
        f"? Pool question {n:02d}?\n- [x] Pool right {n:02d}\n- [ ] Pool wrong {n:02d}a\n"
        f"- [ ] Pool wrong {n:02d}b\n- [ ] None of these {n:02d} {{pin}}"
        for n in range(1, count + 1)
    )


def module_text(key: str, settings: str, quiz: str, pass_mark: int = 100) -> str:
    return (
        f"---\ntitle: {key.title()} check\nid: {key}\nminutes: 20\ncpd_points: 1\n"
        f"pass_mark: {pass_mark}\n{settings}---\n## {key.title()}\n\nText.\n\n```quiz\n{quiz}\n```\n"
    )


# Ten questions, five drawn per attempt, no attempt limit.
POOL = module_text("pool", "draw: 5\n", choice_pool(10))
# Two attempts, then the faculty must grant one more.
LIMITED = module_text("limited", "attempts: 2\n", choice_pool(3))
# One attempt, then one more 30 minutes after the last.
WAITING = module_text("waiting", "attempts: 1\nretry_after: 30m\n", choice_pool(2))

# Right answers that appear nowhere else in the course, so a response can be searched for them.
SECRET_RIGHT = ["KESTREL-ALPHA", "KESTREL-BRAVO", "KESTREL-CHARLIE", "4711", "Kestrel Assembly"]
SECRET_EXPLANATIONS = ["EXPLAIN-ONE", "EXPLAIN-TWO", "EXPLAIN-THREE"]
SECRET_QUIZ = f"""? Which bird is the county emblem?
- [x] {SECRET_RIGHT[0]}
- [ ] Sparrow emblem
> {SECRET_EXPLANATIONS[0]}

? Which are county birds? (choose all that apply)
- [x] {SECRET_RIGHT[1]}
- [x] {SECRET_RIGHT[2]}
- [ ] Pigeon emblem
> {SECRET_EXPLANATIONS[1]}

? Budgets are adopted by the assembly.
= true

? How many tablets does the store hold?
= {SECRET_RIGHT[3]} ± 0.5
> {SECRET_EXPLANATIONS[2]}

? Which body adopts the budget?
~ {SECRET_RIGHT[4]}"""


def secret_module(review: str, attempts: int) -> str:
    return module_text("secret", f"review: {review}\nattempts: {attempts}\n", SECRET_QUIZ)


def wrong_answers(questions: list[dict]) -> dict[str, list[str]]:
    """A wrong answer to every question shown (choice: a wrong option; typed: a wrong value)."""
    answers = {}
    for question in questions:
        kind = question.get("type", "choice")
        if kind == "choice":
            answers[question["id"]] = [
                next(o["id"] for o in question["options"] if not o["correct"])
            ]
        elif kind == "truefalse":
            answers[question["id"]] = ["false" if question["answer"] else "true"]
        elif kind == "number":
            answers[question["id"]] = ["1"]
        else:
            answers[question["id"]] = ["Nobody"]
    return answers


def form_data(answers: dict[str, list[str]], **fields) -> MultiDict:
    """A form post: the answers (several values for choose-all questions) and other fields."""
    return MultiDict([*fields.items(), *((q, v) for q, values in answers.items() for v in values)])


def right_texts() -> list[str]:
    return SECRET_RIGHT + SECRET_EXPLANATIONS
