"""The complete SQL store, assembled from its parts; backends add connections."""

from __future__ import annotations

from streamvis.store.catalog import CatalogMethods
from streamvis.store.chunks import ChunkMethods
from streamvis.store.dashboards import DashboardMethods
from streamvis.store.plots import PlotMethods
from streamvis.store.runs import RunMethods


class SqlStore(CatalogMethods, RunMethods, ChunkMethods, PlotMethods, DashboardMethods):
    """Every `Store` method in SQL; a subclass supplies the dialect and sessions."""
