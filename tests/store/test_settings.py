"""Profile settings in a real database file."""

from __future__ import annotations

import pytest

from player.store import open_database
from player.store.settings import get_setting, set_setting


def test_a_setting_is_stored_replaced_and_survives_reopening(tmp_path):
    db = open_database(tmp_path / "continuo.db")
    assert get_setting(db, "demo_profile") is None
    assert get_setting(db, "demo_profile", "no") == "no"
    set_setting(db, "demo_profile", "first")
    set_setting(db, "demo_profile", "example listening history")
    db.close()
    db = open_database(tmp_path / "continuo.db")
    assert get_setting(db, "demo_profile") == "example listening history"
    assert db.conn.execute("SELECT COUNT(*) FROM settings").fetchone()[0] == 1
    with pytest.raises(ValueError, match="non-empty key"):
        set_setting(db, "", "x")
    db.close()
