"""The logger: DataLogger, AsyncDataLogger, declaring a schema from code, the spool."""

from streamvis.logger.aio import AsyncDataLogger
from streamvis.logger.api import DataLogger
from streamvis.logger.declare import declare_schema
from streamvis.logger.delivery import Delivery
from streamvis.logger.spool import default_spool_root, sync_spool, sync_spool_counts

__all__ = [
    "AsyncDataLogger",
    "DataLogger",
    "Delivery",
    "declare_schema",
    "default_spool_root",
    "sync_spool",
    "sync_spool_counts",
]
