"""`streamvis/__init__.py` holds the public names, nothing else; the docs name them; and
every `streamvis.x.Y` the docs name exists."""

import importlib
import re
import types
from pathlib import Path

import pytest

import streamvis

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted(ROOT.glob("docs/*.md"))]
#: A dotted name starting with `streamvis.`, as the docs write Python names.
DOTTED = re.compile(r"\bstreamvis(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
#: Names that are not Python: the gRPC service (checked against the proto) and hosts.
PROTO = ROOT / "proto" / "streamvis" / "v1" / "service.proto"


def test_all_lists_exactly_the_public_names():
    for name in streamvis.__all__:  # the lazy names (streamvis/__init__.py) load on use
        assert getattr(streamvis, name) is not None
    public = {
        name for name, value in vars(streamvis).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(streamvis.__all__) - {"__version__"}


def test_every_public_name_is_documented():
    docs = "\n".join(p.read_text() for p in DOCS)
    missing = [n for n in streamvis.__all__ if n != "__version__" and n not in docs]
    assert not missing, f"document these public names in README.md or docs/: {missing}"


def resolve(dotted: str) -> object:
    """The object `dotted` names: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def documented_names() -> set[str]:
    names = set()
    for path in DOCS:
        for match in DOTTED.finditer(path.read_text()):
            name = match.group(0)
            if name.endswith((".org", ".com", ".net")) or name.startswith("streamvis.v1.Service"):
                continue
            names.add(name)
    return names


@pytest.mark.parametrize("name", sorted(documented_names()))
def test_every_dotted_name_the_docs_use_exists(name):
    try:
        resolve(name)
    except (ImportError, AttributeError) as exc:
        pytest.fail(f"the docs name {name}, which does not exist ({exc}): fix the docs")


def test_the_service_the_docs_name_is_the_protos():
    assert "service Service" in PROTO.read_text()
    assert "package streamvis.v1;" in PROTO.read_text()


def test_resolve_refuses_a_name_that_is_gone():
    with pytest.raises(AttributeError):
        resolve("streamvis.model.errors.NoSuchError")
