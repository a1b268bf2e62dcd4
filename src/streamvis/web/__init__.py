"""The web app: JSON metadata, Arrow data with level of detail, live events, the UI."""

from streamvis.web.app import create_app
from streamvis.web.http import WebConfig

__all__ = ["WebConfig", "create_app"]
