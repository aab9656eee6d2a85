"""Single sign-on in a real browser through a real OpenID Connect provider on 127.0.0.1:
a verified employee signs in and keeps the portal's own session; an unverified, unknown or
missing email is refused with a message and can sign out of the provider; signing out in
one tab ends the sign-in in the others; a provider's refusal is shown, not swallowed."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from models.access import Role
from models.auth import hash_password
from models.db import Database
from models.people.accounts import insert_account
from models.people.directory import EmployeeInput, insert_employee
from tests.e2e.conftest import PortalServer, wait_for_app
from tests.e2e.oidc_provider import PROVIDER_PASSWORD, OidcProvider, auth_secrets

pytestmark = pytest.mark.e2e

CLIENT_SECRET = "portal-client-secret-for-tests"
ACCOUNTS = {
    "ada": {"email": "ada@example.org", "email_verified": True, "name": "Ada Agent"},
    # claims the administrator's email, but the provider does not vouch for it
    "mallory": {"email": "grace@example.org", "email_verified": False, "name": "Mallory"},
    "stranger": {"email": "stranger@example.org", "email_verified": True, "name": "Stranger"},
    "anonymous": {"name": "No Email"},
}


def _prepare_database(path: Path) -> None:
    """An administrator with a password, and Ada, who has no portal account yet."""
    database = Database(path)
    database.migrate()

    def people(connection) -> None:
        grace = EmployeeInput(employee_number="E1", full_name="Grace Admin", email="grace@example.org")
        grace_id = insert_employee(connection, None, grace, {Role.ADMIN})
        insert_account(connection, None, grace_id, "grace", hash_password("grace-password-1"))
        ada = EmployeeInput(employee_number="E2", full_name="Ada Agent", email="ada@example.org")
        insert_employee(connection, None, ada, set())

    database.write(people)
    database.close()


@dataclass
class SsoSetup:
    provider: OidcProvider
    portal: PortalServer  # sends prompt=login, which the provider supports
    default_prompt_portal: PortalServer  # sends Streamlit's default prompt=select_account


def _start_all(servers: list[PortalServer]) -> None:
    """Start the portals side by side (each start waits for Streamlit to answer)."""
    failures: list[BaseException] = []

    def start(server: PortalServer) -> None:
        try:
            server.start()
        except BaseException as error:  # re-raised below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=start, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def _free_port() -> int:
    """A loopback port free now: the provider must know each portal's address before it starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def sso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SsoSetup]:
    """The provider and two portals signing in through it; secrets.toml files live in temporary
    folders, never in the project's .streamlit/."""
    portals = {}
    for client_id in ("portal", "portal-default-prompt"):
        folder = tmp_path_factory.mktemp(client_id)
        _prepare_database(folder / "portal.duckdb")
        portals[client_id] = PortalServer(
            folder, _free_port(), PORTAL_DEMO_MODE="false", STREAMLIT_SECRETS_FILES=str(folder / "secrets.toml")
        )
    provider = OidcProvider(
        tmp_path_factory.mktemp("provider") / "provider.log",
        clients=[
            {
                "client_id": client_id,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{server.url}/oauth2callback"],
                "post_logout_redirect_uris": [f"{server.url}/oauth2callback"],
            }
            for client_id, server in portals.items()
        ],
        accounts=ACCOUNTS,
    )
    provider.start()
    try:
        for (client_id, server), prompt in zip(portals.items(), ("login", None), strict=True):
            secrets = auth_secrets(
                server.url, provider, client_id=client_id, client_secret=CLIENT_SECRET, prompt=prompt
            )
            Path(server.env["STREAMLIT_SECRETS_FILES"]).write_text(secrets)
        _start_all(list(portals.values()))
        yield SsoSetup(provider, *portals.values())
    finally:
        for server in portals.values():
            server.stop()
        provider.stop()


def sign_in_through_provider(page: Page, setup: SsoSetup, login: str, *, from_start: bool = True) -> None:
    """Click single sign-on, sign in at the provider as ``login`` and wait for the portal."""
    if from_start:
        page.goto(setup.portal.url)
        wait_for_app(page)
    page.get_by_role("button", name="Sign in with single sign-on").click()
    page.wait_for_url(f"{setup.provider.issuer}/interaction/**")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in at the provider").click()
    page.wait_for_url(f"{setup.portal.url}/**")
    wait_for_app(page)


def _wait_for_cookie(page: Page, name: str, timeout: float = 30.0) -> None:
    for _ in range(int(timeout * 10)):
        if any(cookie["name"] == name for cookie in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"no {name} cookie")


def test_a_verified_employee_signs_in_and_signing_out_in_any_tab_ends_it_everywhere(page: Page, sso: SsoSetup):
    sign_in_through_provider(page, sso, "ada")  # Ada has no portal account yet: she gets one without a password
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Ada Agent")).to_be_visible()
    expect(sidebar.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    _wait_for_cookie(page, "portal_session")  # fetched by the one-time image
    names = {cookie["name"] for cookie in page.context.cookies()}
    assert not any(name.startswith("_streamlit_user") for name in names), names  # only the portal's cookie

    other = page.context.new_page()  # a second tab is signed in by the portal's cookie
    other.goto(sso.portal.url)
    wait_for_app(other)
    other_sidebar = other.get_by_test_id("stSidebar")
    expect(other_sidebar.get_by_text("Ada Agent")).to_be_visible()
    other_sidebar.get_by_role("button", name="Sign out", exact=True).click()
    wait_for_app(other)
    expect(other.get_by_role("button", name="Sign in with single sign-on")).to_be_visible()

    # the tab that signed in through the provider finds its sign-in ended at its next step
    page.get_by_test_id("stSidebarNav").get_by_text("My account").click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in with single sign-on")).to_be_visible()
    expect(page.get_by_role("heading", name="My account")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in with single sign-on")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)


def test_unverified_unknown_and_missing_emails_are_refused_and_can_sign_out_of_the_provider(page: Page, sso: SsoSetup):
    sign_in_through_provider(page, sso, "mallory")  # says she is the administrator, unverified
    expect(page.get_by_text("does not vouch for the email address grace@example.org")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)

    page.get_by_role("button", name="Sign out of single sign-on").click()
    page.get_by_role("button", name="Yes, sign me out").click()  # the provider's own sign-out page
    page.wait_for_url(f"{sso.portal.url}/**")
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in with single sign-on")).to_be_visible()
    expect(page.get_by_text("does not vouch")).to_have_count(0)

    sign_in_through_provider(page, sso, "stranger", from_start=False)
    expect(page.get_by_text("stranger@example.org is not an active employee of this portal")).to_be_visible()
    sign_in_through_provider(page, sso, "anonymous", from_start=False)
    expect(page.get_by_text("did not send an email address")).to_be_visible()
    expect(page.get_by_text("None is")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)


def test_a_provider_refusing_the_request_is_reported_on_the_sign_in_screen(page: Page, sso: SsoSetup):
    portal = sso.default_prompt_portal  # Streamlit's default prompt=select_account, which the provider refuses
    page.goto(portal.url)
    wait_for_app(page)
    page.get_by_role("button", name="Sign in with single sign-on").click()
    page.wait_for_url(f"{portal.url}/?sso_error=*")
    wait_for_app(page)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Single sign-on did not complete (invalid_request)")
    expect(alert).to_contain_text("change prompt in the [auth] settings")
