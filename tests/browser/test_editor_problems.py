"""The editor's problems box follows the live preview (issue 16): a mistake typed in the module
text is listed beside the editor without pressing Preview, a field the form refuses too, and the
box empties once the text is right again."""

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_editor_insert_image import lecturer_course
from wired4ex.authoring import services

GOOD = "## Costs\n\nFuel and allowances.\n"
BROKEN = GOOD + "\n```quiz\n? Which costs belong to the outreach?\n- [ ] Fuel\n- [ ] Rent\n```\n"


def test_problems_update_with_the_live_preview(
    desktop_page, live_server, make_user, synced_content
):
    author, course = lecturer_course(make_user)
    draft = services.open_draft(author, course)
    page = desktop_page
    log_in(page, "lecturer@eaihm.example")
    page.goto(f"/authoring/drafts/{draft.id}")
    page.get_by_label("Module title").fill("Costing outreach")
    page.get_by_label("Module id (keep it when you rename the module)").fill("costing-outreach")
    text = page.get_by_label("Module text (Markdown)")
    box = page.locator("#problems-box")
    text.fill(BROKEN)
    expect(box.locator("#problems-title")).to_contain_text("to fix before submitting")
    expect(box).to_contain_text("Text line")
    expect(page.locator("#live-preview")).to_contain_text("Fuel and allowances")
    text.fill(GOOD)
    expect(box.locator("#problems-title")).to_have_count(0)
    expect(page.locator("#live-preview")).to_contain_text("Fuel and allowances")
    page.get_by_label("Module id (keep it when you rename the module)").fill("")
    text.fill(GOOD + "\nMore.\n")
    expect(box).to_contain_text("Module id (keep it when you rename the module):")
