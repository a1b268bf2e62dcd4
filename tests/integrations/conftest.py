"""The framework integrations' tests share tests/conftest.py's server (`uri`) and
tests/served.py's read-back; each keeps its cache private."""

import pytest


@pytest.fixture(autouse=True)
def _private_cache(private_cache: None) -> None:
    """Every test here: the spool and caches in its own directory."""
