"""streamvis: log typed, rectangular data from running programs and watch it live."""

from streamvis.logger import AsyncDataLogger, DataLogger, declare_schema
from streamvis.query import connect

__version__ = "0.1.0"

__all__ = ["AsyncDataLogger", "DataLogger", "__version__", "connect", "declare_schema"]
