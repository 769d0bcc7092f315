"""The policy files may give names and descriptions in Swahili too (name_sw, description_sw)."""


def test_the_checker_accepts_swahili_names_and_reports_empty_or_unknown_ones(make_content):
    folder = make_content()
    text = folder.read("policy/cpd.yml")
    swahili = next(line for line in text.splitlines() if line.strip().startswith("name_sw:"))
    indent = swahili[: len(swahili) - len(swahili.lstrip())]
    assert folder.problems() == []

    folder.write("policy/cpd.yml", text.replace(swahili, f"{indent}name_sw: ''", 1))
    [(path, _line, message)] = folder.problems()
    assert path == "policy/cpd.yml"
    assert message == "'name_sw' in a category must be a piece of text"

    folder.write("policy/cpd.yml", text.replace(swahili, f"{indent}name_fr: Cours", 1))
    [(path, _line, message)] = folder.problems()
    assert message.startswith("unknown key 'name_fr' in a category")


def test_a_programme_description_may_be_given_in_swahili(make_content):
    folder = make_content()
    text = folder.read("policy/certifications.yml")
    name = "    name: Associate in Health Systems Management\n"
    assert name in text
    given = name + "    name_sw: Mshirika\n    description_sw: Uthibitisho wa kwanza.\n"
    folder.write("policy/certifications.yml", text.replace(name, given))
    assert folder.problems() == []
    folder.write("policy/certifications.yml", text.replace(name, name + "    description_sw: 5\n"))
    [(_path, _line, message)] = folder.problems()
    assert message == "'description_sw' in programme 'AHSM' must be a piece of text"
