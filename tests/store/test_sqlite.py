"""SQLite sessions (store/sqlite.py): the larger page cache of a batch write is set back."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamvis.store.sqlite import _BATCH_CACHE_KIB

from .helpers import raw_session


def test_a_roomy_write_sets_the_page_cache_back_even_when_it_fails(tmp_path: Path) -> None:
    with raw_session(str(tmp_path / "data")) as s:
        before = s.scalar("PRAGMA cache_size")
        with s.roomy():
            assert s.scalar("PRAGMA cache_size") == -_BATCH_CACHE_KIB
        assert s.scalar("PRAGMA cache_size") == before
        with pytest.raises(RuntimeError), s.roomy():
            raise RuntimeError("the batch failed")
        assert s.scalar("PRAGMA cache_size") == before
