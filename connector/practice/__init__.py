"""The practice, per site: teams, relationships, goals, expectations, feedback and health, as
services over their tables.

Each service takes a SQLAlchemy Session and the site id, flushes but never commits (the caller owns
the unit of work), and raises `connector.domain.errors` for anything a user can get wrong.
"""
