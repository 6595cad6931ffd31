"""The migration history is one line: operators see a single head."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from connector.db import alembic_config


def test_one_head_and_a_linear_history() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert len(scripts.get_heads()) == 1
    revisions = list(scripts.walk_revisions())
    assert all(len(r._all_down_revisions) <= 1 for r in revisions)
    assert revisions[-1].revision == "0001_tenants"
