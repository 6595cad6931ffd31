"""The macro routes read the database with hand-written queries: run them on both databases."""

from tests.support.databases import app_config

__all__ = ["app_config"]
