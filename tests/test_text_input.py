"""Text people enter or import is stored clean: line breaks as LF and no other control
character than tab and newline, the same in every form field and every import."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from pydantic import BaseModel

import models
from models.access import Role
from models.actions import plan, workflow
from models.errors import InputError
from models.inputs import InputRecord
from models.people import directory, hr_import
from models.strategy import vision
from models.text import normalise_text
from tests.test_actions import action_data

DIRTY = "Line one\r\nline two\rline\x00 three\x01\x1b[31m\ttabbed\x7f"
CLEAN = "Line one\nline two\nline three[31m\ttabbed"


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("plain text", "plain text"),
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\r\r\nb", "a\n\nb"),
        ("nul\x00 byte", "nul byte"),
        ("\x1b[2Jescape", "[2Jescape"),
        ("keep\ttab\nand newline", "keep\ttab\nand newline"),
        ("".join(chr(code) for code in range(32)), "\t\n\n"),  # the CR becomes a newline
        (DIRTY, CLEAN),
    ],
)
def test_clean_text_keeps_tab_and_newline_and_drops_other_control_characters(raw, cleaned):
    assert normalise_text(raw) == cleaned


def _input_records() -> list[type[BaseModel]]:
    found = {}
    for module_info in pkgutil.walk_packages(models.__path__, "models."):
        if ".migrations" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseModel) and name.endswith("Input"):
                found[f"{value.__module__}.{name}"] = value
    return list(found.values())


def test_every_input_record_cleans_its_text():
    records = _input_records()
    assert len(records) >= 10  # the walk found the areas' records
    assert [record.__name__ for record in records if not issubclass(record, InputRecord)] == []


def test_a_form_field_is_stored_clean(db, make_user):
    leader = make_user(Role.LEADERSHIP)
    priority_id = vision.create_priority(db, leader, {"title": "Fewer\x00 repeats\r", "description": DIRTY})
    (priority,) = [p for p in vision.list_priorities(db) if p.id == priority_id]
    assert priority.title == "Fewer repeats"
    assert priority.description == CLEAN


def test_control_characters_do_not_count_towards_a_fields_length(db, make_user):
    leader = make_user(Role.LEADERSHIP)
    with pytest.raises(InputError, match="Title"):
        vision.create_priority(db, leader, {"title": "ab\x00\x00\x00\x00"})


def test_a_note_given_as_an_argument_is_stored_clean(db, make_user):
    leader, owner = make_user(Role.LEADERSHIP), make_user(Role.TEAM_LEAD)
    action_id = workflow.create_action(db, leader, action_data(owner.employee_id, title="Call\x1b back\rtoday"))
    workflow.post_update(db, leader, action_id, DIRTY)
    assert plan.get_action(db, action_id).title == "Call back\ntoday"
    assert plan.updates_log(db, action_id)[0]["note"] == CLEAN  # newest first


def test_an_imported_row_is_cleaned_the_same_way(db, make_user):
    hr = make_user(Role.HR)
    data = b'employee_number,full_name,email,team\r\nE900,"Ada\x00 Lovelace\x1b",ada@example.org,"Night\x07 shift"\r\n'
    report = hr_import.import_people_csv(db, hr, data)
    assert report.imported, report.errors
    (person,) = directory.directory(db, hr, search="E900")
    assert (person.full_name, person.team_name) == ("Ada Lovelace", "Night shift")
