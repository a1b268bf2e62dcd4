"""The complete SQL store, assembled from its parts; backends add connections."""

from __future__ import annotations

from streamvis.store.blobs import BlobMethods
from streamvis.store.catalog import CatalogMethods
from streamvis.store.chunks import ChunkMethods
from streamvis.store.controls import ControlMethods
from streamvis.store.line_rows import LineRowMethods
from streamvis.store.run_batches import RunBatchMethods
from streamvis.store.run_search import RunSearchMethods
from streamvis.store.runs import RunMethods
from streamvis.store.saved import SavedMethods


class SqlStore(CatalogMethods, RunMethods, RunBatchMethods, RunSearchMethods, ChunkMethods,
               LineRowMethods, SavedMethods, BlobMethods, ControlMethods):
    """Every `Store` method in SQL; a subclass supplies the dialect and sessions."""
