"""The store of reviewed codes: SQLAlchemy over SQLite (default) or PostgreSQL.

It holds notes metadata (ids, dates, case, optional grouping fields; never note text), the
confirmed codes of ``formats.md`` with their decision, the review audit and the model versions.
The schema is versioned (``narrative.store.schema``): opening a store upgrades it in place.
"""

from narrative.store.store import NoteMeta, Store, StoreError, write_confirmed_csv

__all__ = ["NoteMeta", "Store", "StoreError", "write_confirmed_csv"]
