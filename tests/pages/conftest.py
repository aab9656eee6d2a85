"""AppTest set-up for the portal's pages."""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager


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
