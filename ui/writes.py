"""The one way a page writes: run the models write, show its refusal (naming each bad field),
toast its success — and, for a versioned record, keep the edits on screen when someone saved
it first and offer to reload it.

    saved = run_write(lambda: goals.create_goal(db, user, data), success="Goal created.")
    if saved:
        st.session_state["goal_to_open"] = saved.value

    form = EditForm("goal", goal.id, goal.version)      # widget keys start with form.prefix
    form.show_stale()                                   # the refusal and "Reload", while it stands
    run_write(lambda: goals.update_goal(db, user, goal.id, data, form.version), form=form, rerun=True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import streamlit as st

from models.access import PermissionDeniedError
from models.db import WriteConflictError
from models.errors import InputError, StaleRecordError
from models.i18n import N_, _, use_language
from ui.languages import session_language
from ui.text import escape_markdown
from ui.widgets import decimal_problems, show_input_error

T = TypeVar("T")

RELOAD_LABEL = N_("Reload")  # shown with _()


@dataclass(frozen=True)
class Written(Generic[T]):
    """What ``run_write`` gives back: true when the write was stored, with what it returned."""

    ok: bool
    value: T | None = None

    def __bool__(self) -> bool:
        return self.ok


class EditForm:
    """The edit form of one versioned record (an action, a goal, a person, a finding).

    It remembers the version the record had when the form was opened, which the save passes
    to the model, so a save made after someone else's is refused rather than overwriting it.
    The form's widget keys start with ``prefix``: a refused save keeps them (the edits stay on
    screen) and Reload clears them, so the record shows as it is saved now. Opening another
    record of the same kind starts afresh."""

    def __init__(self, kind: str, record_id: int, version: int, *, prefix: str | None = None) -> None:
        self._state_key = f"{kind}_edit_form"
        state = st.session_state.get(self._state_key)
        if state is None or state["id"] != record_id:
            state = st.session_state[self._state_key] = {"id": record_id, "version": version, "stale": None}
        self.record_id = record_id
        self.version: int = state["version"]
        self.prefix: str = prefix or f"{kind}_{record_id}_v{self.version}"

    @property
    def stale(self) -> str | None:
        """The refusal of the last save when someone else had saved the record first."""
        state = st.session_state.get(self._state_key) or {}
        return state.get("stale") if state.get("id") == self.record_id else None

    def refused_as_stale(self, error: StaleRecordError) -> None:
        """Keep the refusal for ``show_stale`` and draw the page again with the edits as typed."""
        st.session_state[self._state_key] = {"id": self.record_id, "version": self.version, "stale": str(error)}
        st.rerun()

    def show_stale(self) -> None:
        """While a save stands refused as stale: the refusal, and a Reload button that drops
        the edits and opens the record as it is saved now."""
        message = self.stale
        if not message:
            return
        st.error(escape_markdown(message), icon=":material/sync_problem:")
        st.button(
            _(RELOAD_LABEL),
            key=f"{self.prefix}_reload",
            icon=":material/refresh:",
            help=_("Your edits are discarded and the form shows the record as it is saved now."),
            on_click=self.reload,
        )

    def reload(self) -> None:
        """Forget the opened version and the form's widget state (a button callback: it runs
        before the widgets are drawn, so they start from the fresh record)."""
        for key in [key for key in st.session_state if str(key).startswith(f"{self.prefix}_")]:
            del st.session_state[key]
        st.session_state.pop(self._state_key, None)

    def saved(self) -> None:
        """The save went through: the next run opens the record at its new version."""
        st.session_state.pop(self._state_key, None)


def show_refusal(error: Exception) -> None:
    """A refused write as the person should read it: one message per bad field for bad input,
    otherwise the refusal itself — always as text."""
    if isinstance(error, InputError):
        show_input_error(error)
    else:
        st.error(escape_markdown(str(error)))


def run_write(
    write: Callable[[], T],
    *,
    success: str | None = None,
    form: EditForm | None = None,
    rerun: bool = False,
    report_at: str | None = None,
    refusals: tuple[type[Exception], ...] = (),
) -> Written[T]:
    """Run ``write`` (a call into ``models``) and tell the person how it went.

    Bad input is shown naming each field; a permission refusal, a write conflict or one of
    ``refusals`` is shown as it is; a save on a version someone else saved since ``form`` was
    opened keeps the edits and offers a reload (see ``EditForm``). On success ``success`` (plain
    text) is toasted, ``form`` moves to the new version, and with ``rerun`` the page is drawn
    again. Inside a button callback nothing can be drawn where it belongs yet: ``report_at``
    keeps the refusal under that session key until ``show_reported`` shows it."""
    if report_at is not None:
        st.session_state.pop(report_at, None)
    with use_language(session_language()):  # inside a callback the run's language is not set yet
        return _run_write(write, success=success, form=form, rerun=rerun, report_at=report_at, refusals=refusals)


def _run_write(
    write: Callable[[], T],
    *,
    success: str | None,
    form: EditForm | None,
    rerun: bool,
    report_at: str | None,
    refusals: tuple[type[Exception], ...],
) -> Written[T]:
    try:
        if wrong_numbers := decimal_problems():  # a decimal field of this run holds wrong text
            raise wrong_numbers
        value = write()
    except StaleRecordError as error:
        if form is not None:
            form.refused_as_stale(error)
        _report(error, report_at)
        return Written(False)
    except (InputError, PermissionDeniedError, WriteConflictError, *refusals) as error:
        _report(error, report_at)
        return Written(False)
    if form is not None:
        form.saved()
    if success and rerun:
        # toasted by the run the rerun starts: a toast sent just before a rerun can be lost
        # when the next run's first messages reach the browser before it is drawn
        st.session_state[_PENDING_TOAST] = success
    elif success:
        st.toast(escape_markdown(success), icon=":material/check_circle:")
    if rerun:
        st.rerun()
    return Written(True, value)


_PENDING_TOAST = "portal_pending_toast"


def show_pending_toast() -> None:
    """Toast the success of a write whose page was drawn again (``run_write(rerun=True)``);
    ``portal.py`` calls it at the start of every run."""
    if success := st.session_state.pop(_PENDING_TOAST, None):
        st.toast(escape_markdown(success), icon=":material/check_circle:")


def _report(error: Exception, report_at: str | None) -> None:
    if report_at is None:
        show_refusal(error)
    else:
        st.session_state[report_at] = error


def show_reported(key: str, *, keep: bool = False) -> None:
    """Show the refusal a button callback kept under ``key`` (see ``run_write``); once, unless
    ``keep``, in which case it stays until the next attempt."""
    error: Any = st.session_state.get(key) if keep else st.session_state.pop(key, None)
    if isinstance(error, Exception):
        show_refusal(error)
