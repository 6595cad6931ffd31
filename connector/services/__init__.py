"""Domain services: the practice's operations on a site's organisation.

Each takes a SQLAlchemy Session and the site id, flushes but never commits (the caller owns the
unit of work), and raises `connector.errors` for anything a user can get wrong.
"""
