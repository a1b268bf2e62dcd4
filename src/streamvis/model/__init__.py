"""The model layer: the data model, its type registry, errors, limits and events.

Everything else builds on it; it imports nothing of streamvis outside itself.
"""
