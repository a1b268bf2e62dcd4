"""`streamvis/__init__.py` holds the public names, nothing else, and docs name them."""

import types
from pathlib import Path

import streamvis

ROOT = Path(__file__).resolve().parents[1]


def test_all_lists_exactly_the_public_names():
    public = {
        name for name, value in vars(streamvis).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(streamvis.__all__) - {"__version__"}
    for name in streamvis.__all__:
        assert getattr(streamvis, name) is not None


def test_every_public_name_is_documented():
    docs = "\n".join(p.read_text() for p in [ROOT / "README.md", *ROOT.glob("docs/*.md")])
    missing = [n for n in streamvis.__all__ if n != "__version__" and n not in docs]
    assert not missing, f"document these public names in README.md or docs/: {missing}"
