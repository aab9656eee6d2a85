"""What Streamlit 1.67 writes itself into its widgets, in English, reads in the person's language
(issue 16): the page's language, the hints under text fields, the skip link, the uploader's note
while a file is dragged over it, and lists where nothing is chosen. Streamlit's own English menus
and table downloads are not shown at all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from models.seeding import DEMO_PASSWORD
from models.settings import Settings
from tests.e2e.conftest import serve, sign_in, wait_for_app
from tests.e2e.test_languages_browser import choose_language

pytestmark = pytest.mark.e2e

# What a reader sees of an element: its own text unless a style hides it, then what the style
# writes after it (innerText leaves generated content out, so it is read separately).
SEEN = """(element) => {
    const style = getComputedStyle(element);
    const hidden = style.display === "none" || style.fontSize === "0px";
    const after = getComputedStyle(element, "::after").content;
    return (hidden ? "" : element.innerText) + (after && after !== "none" ? JSON.parse(after) : "");
}"""


def seen(locator) -> str:
    return locator.evaluate(SEEN)


def in_ukrainian(page, base_url: str, username: str) -> None:
    sign_in(page, base_url, username, DEMO_PASSWORD)
    page.goto(f"{base_url}/account")
    wait_for_app(page)
    choose_language(page, "Language", "Українська")
    expect(page.get_by_role("heading", name="Мій обліковий запис")).to_be_visible()


def instructions(page, field, typed: str = "ab") -> str:
    """What Streamlit shows under a text field once ``typed`` is typed into it: the hint (while
    Enter would do something) and, for a field with a length limit, the count ("2/120")."""
    field.click()
    if typed:
        field.press_sequentially(typed)
    row = page.get_by_test_id("InputInstructions").first
    expect(row).to_be_attached()
    return row.evaluate(
        """(row) => {
            const before = getComputedStyle(row, "::before").content;
            return (before && before !== "none" ? JSON.parse(before) + " " : "") + row.innerText;
        }"""
    ).strip()


def test_an_agent_who_chose_ukrainian_reads_the_page_and_its_hints_in_ukrainian(page, portal_server):
    in_ukrainian(page, portal_server.url, "agent")
    assert page.evaluate("document.documentElement.lang") == "uk"  # screen readers speak it as Ukrainian

    password = page.get_by_label("Поточний пароль", exact=True)  # in the form that changes the password
    assert instructions(page, password) == "Натисніть Enter, щоб надіслати форму"
    assert seen(page.get_by_test_id("stSkipToContent")) == "Перейти до основного вмісту"

    page.goto(f"{portal_server.url}/my-ideas")
    wait_for_app(page)
    title = page.get_by_test_id("stTextInput").locator("input").first  # a field with a length limit
    assert instructions(page, title, typed="") == "0/120"  # nothing to apply yet: the count alone, as Streamlit shows
    problem = page.get_by_test_id("stTextArea").locator("textarea").first
    assert instructions(page, problem) == "Натисніть Ctrl+Enter, щоб застосувати 2/2000"
    # an optional list left at "none" shows the page's dash, not Streamlit's "Choose an option"
    placeholders = (
        page.get_by_test_id("stSelectbox")
        .locator("input")
        .evaluate_all("inputs => inputs.map(input => input.placeholder)")
    )
    assert placeholders and "Choose an option" not in placeholders, placeholders

    page.goto(f"{portal_server.url}/account")
    wait_for_app(page)
    choose_language(page, "Мова", "English")
    assert page.evaluate("document.documentElement.lang") == "en"
    # in English Streamlit's own hint stays: it names the key of the reader's keyboard
    assert instructions(page, page.get_by_label("Current password", exact=True)) == "Press Enter to submit form"


def test_the_uploader_says_drop_the_file_here_in_ukrainian_while_a_file_is_dragged_over_it(page, portal_server):
    in_ukrainian(page, portal_server.url, "analyst")
    page.goto(f"{portal_server.url}/complaints-import")
    wait_for_app(page)
    zone = page.get_by_test_id("stFileUploaderDropzone")
    dragged = page.evaluate_handle(
        "() => { const files = new DataTransfer(); files.items.add(new File(['a,b'], 'c.csv', {type: 'text/csv'}));"
        " return files; }"
    )
    zone.dispatch_event("dragenter", {"dataTransfer": dragged})
    note = zone.locator("> input + div > span")
    expect(note).to_be_visible()
    assert seen(note) == "Відпустіть файл тут"
    zone.dispatch_event("dragleave", {"dataTransfer": dragged})


def test_streamlit_s_own_english_menu_navigation_button_and_table_download_are_not_shown(page, portal_server):
    in_ukrainian(page, portal_server.url, "admin")  # the longest navigation of any role
    page.goto(f"{portal_server.url}/goals")
    wait_for_app(page)
    table = page.get_by_test_id("stDataFrame").first
    table.hover()
    toolbar = page.get_by_test_id("stElementToolbar").first
    expect(toolbar.get_by_role("button", name="Search")).to_be_attached()  # the toolbar is there…
    expect(toolbar.get_by_role("button", name="Download as CSV")).to_have_count(0)  # …without Streamlit's download
    expect(page.get_by_role("button", name="Завантажити CSV").first).to_be_visible()  # the portal's own
    expect(page.get_by_test_id("stMainMenu")).to_have_count(0)  # no Deploy, Rerun, Settings, Print…
    expect(page.get_by_test_id("stAppDeployButton")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNavViewButton")).to_have_count(0)  # no "View 12 more"


@pytest.fixture
def portal_to_stop(tmp_path, database_templates) -> Iterator:
    """A demo portal of the test's own, which the test stops."""
    defaults = Settings.model_fields
    database_templates.copy_demo(
        tmp_path / "portal.duckdb", seed=defaults["demo_seed"].default, scale=defaults["demo_scale"].default
    )
    yield from serve(tmp_path)


def test_when_the_portal_stops_answering_the_dialog_says_so_in_ukrainian(page, portal_to_stop):
    in_ukrainian(page, portal_to_stop.url, "agent")
    portal_to_stop.stop()
    dialog = page.get_by_test_id("stDialog").get_by_role("dialog")
    expect(dialog).to_be_visible()
    title = dialog.locator("h2")  # Streamlit's "Connection error", replaced
    page.wait_for_function(
        "() => document.querySelector(\"[data-testid='stDialog'] section[data-portal-dialog='connection']\")"
    )
    assert seen(title) == "Портал не відповідає"
    message = dialog.evaluate("(dialog) => JSON.parse(getComputedStyle(dialog, '::after').content)")
    assert message.startswith("З’єднання з порталом втрачено"), message
    assert "Streamlit server" not in dialog.inner_text()  # Streamlit's own message is hidden
