"""AppTest set-up for the portal's pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.components.v2 import manifest_scanner
from streamlit.runtime.pages_manager import PagesManager

from tests.conftest import DatabaseTemplates, close_the_portals_database, point_the_portal_at


@pytest.fixture(autouse=True, scope="session")
def component_packages_scanned_once() -> Iterator[None]:
    """Scan the installed packages for Streamlit components once per session.

    Every new AppTest reads the metadata of every installed package to find components
    (about a third of a second each time); the packages do not change during a run."""
    installed = manifest_scanner.scan_component_manifests()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(manifest_scanner, "scan_component_manifests", lambda max_workers=None: list(installed))
        yield


@pytest.fixture(autouse=True)
def navigation_not_pages_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run portal.py's st.navigation on every AppTest run.

    AppTest resets Streamlit's "uses a pages/ folder" flag before each run, and with a
    pages/ folder present it would then run a page file directly on the second run,
    skipping portal.py (its sign-in gate and navigation). A real server clears the
    flag for good at the first st.navigation call; this does the same for the tests.
    """
    original_init = PagesManager.__init__

    def init_without_pages_folder(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_without_pages_folder)


@pytest.fixture(scope="module")
def demo_portal(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, database_templates: DatabaseTemplates
) -> Iterator[Any]:
    """One copy of the demo organisation the portal opens, shared by the tests of a module that
    walk its pages (opening a page writes nothing)."""
    # the backups page shows the folder: a name without underscores does not read as a code
    folder = request.module.__name__.rsplit(".", 1)[-1].replace("_", "-")
    path = tmp_path_factory.mktemp(folder) / "portal.duckdb"
    organisation = database_templates.copy_demo(path)
    with pytest.MonkeyPatch.context() as patch:
        point_the_portal_at(patch, database_templates, path)
        yield organisation
        close_the_portals_database(database_templates, path)
