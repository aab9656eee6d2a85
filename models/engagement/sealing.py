"""Sealing answers of an open survey with a key that never enters the database."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from models.db import PRIVATE_FILE_MODE, make_private, private_folder

if TYPE_CHECKING:
    from models.db import Database

KEY_FILE_NAME = ".survey_key"
_NONCE_BYTES = 12
# Every answer is padded to this size before sealing, so a sealed answer's size tells nothing
# of what it holds (a comment's length, a 10 rather than a 9). The longest answer — a comment
# of 2,000 characters each escaped to six bytes — fits with room to spare.
PADDED_BYTES = 16 * 1024
_memory_keys: dict[int, bytes] = {}  # databases in memory keep their key in memory


def key_path(db: Database) -> Path | None:
    """The key file beside the database file; None for a database in memory."""
    if str(db.path) == ":memory:":
        return None
    return db.path.parent / KEY_FILE_NAME


def _key(db: Database) -> bytes:
    path = key_path(db)
    if path is None:
        return _memory_keys.setdefault(id(db), AESGCM.generate_key(bit_length=256))
    if not path.exists():
        private_folder(path.parent)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(AESGCM.generate_key(bit_length=256))
    make_private(path)
    return path.read_bytes()


def seal(db: Database, survey_id: int, answer: dict[str, Any]) -> bytes:
    """The answer encrypted and bound to its survey (a sealed answer cannot be moved to another)."""
    nonce = os.urandom(_NONCE_BYTES)
    payload = json.dumps(answer, sort_keys=True, ensure_ascii=False).encode()
    if len(payload) > PADDED_BYTES:
        raise ValueError("an answer too long to seal")
    payload = payload.ljust(PADDED_BYTES, b" ")  # JSON reads trailing spaces as nothing
    return nonce + AESGCM(_key(db)).encrypt(nonce, payload, str(survey_id).encode())


def unseal(db: Database, survey_id: int, sealed: bytes) -> dict[str, Any] | None:
    """The answer back, or None when this key did not seal it (a database restored elsewhere)."""
    nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
    try:
        return json.loads(AESGCM(_key(db)).decrypt(nonce, body, str(survey_id).encode()))
    except InvalidTag:
        return None
