"""The package version, in a module of its own so any layer can read it without
importing the package face (which loads the logger and numpy)."""

__version__ = "0.1.0"
