"""The platform key is read from its file again whenever the file is another one or was changed, so a replaced or
rewritten key is used from the next signature on (the key is kept between reads only for the same file)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from ai_missions.kernel.errors import MissionsError
from ai_missions.kernel.signing import KEY_FILE, platform_key


@pytest.fixture(autouse=True)
def no_deployment_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MISSIONS_PLATFORM_KEY", raising=False)
    monkeypatch.delenv("MISSIONS_PLATFORM_KEY_FILE", raising=False)


def test_a_replaced_key_file_is_read_again(tmp_path: Path) -> None:
    first = platform_key(tmp_path)
    assert platform_key(tmp_path) == first
    other = secrets.token_bytes(32)
    staged = tmp_path / "staged.key"
    staged.write_text(other.hex())
    os.replace(staged, tmp_path / KEY_FILE)  # a new file under the same name
    assert platform_key(tmp_path) == other


def test_a_key_rewritten_in_place_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / KEY_FILE
    platform_key(tmp_path)
    other = secrets.token_bytes(32)
    path.write_text(other.hex())  # same file, same size
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # apart from a coarse clock's tick
    assert platform_key(tmp_path) == other
    path.write_text("00")
    with pytest.raises(MissionsError, match="is not a signing key"):
        platform_key(tmp_path)
