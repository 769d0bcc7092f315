"""content/policy/membership.yml: the real file is valid, and `flask content check` names the
line of each mistake in a broken copy."""

import shutil

from tests.conftest import ROOT
from wired4ex.catalog.sources import load_yaml_mapping
from wired4ex.membership.policy import load_membership_policy, validate_membership


def problems(text: str) -> list[str]:
    found = []
    validate_membership(
        load_yaml_mapping(text), lambda line, message: found.append(f"{line}: {message}")
    )
    return found


def test_the_real_policy_is_valid(app):
    text = (ROOT / "content" / "policy" / "membership.yml").read_text(encoding="utf-8")
    assert problems(text) == []
    policy = load_membership_policy()
    assert [c.code for c in policy.open_categories()] == [
        "student", "professional", "associate", "corporate",
    ]  # fmt: skip
    assert not policy.category("honorary").may_apply and not policy.category("life").lapses
    assert policy.category("professional").requires_cpd_target
    assert policy.category("student").file_field.code == "proof_of_enrolment"


def test_mistakes_are_named_with_their_line(app):
    text = (ROOT / "content" / "policy" / "membership.yml").read_text(encoding="utf-8")
    broken = text.replace("    apply: granted\n    requires_cpd_target: false\n    fields: []\n  corporate",
                          "    apply: members\n    requires_cpd_target: false\n    fields: []\n  corporate")  # fmt: skip
    broken = broken.replace("grace_days: 30", "grace_days: -3").replace("type: date", "type: when")
    found = problems(broken)
    assert any("honorary membership is granted, never applied for" in p for p in found)
    assert any("grace_days of 'student' must be a whole number" in p for p in found)
    assert any("type of field 'expected_completion' must be one of" in p for p in found)
    assert all(p.split(":")[0].isdigit() and int(p.split(":")[0]) > 1 for p in found)


def test_content_check_reports_a_broken_membership_policy(runner, tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    path = folder / "policy" / "membership.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("  corporate:", "  partner:"))
    result = runner.invoke(args=["content", "check", str(folder)])
    assert result.exit_code == 1
    assert (
        "membership.yml" in result.output
        and "unknown membership category 'partner'" in result.output
    )
    assert "missing membership category 'corporate'" in result.output
