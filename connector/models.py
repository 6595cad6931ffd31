"""Every table the app owns, imported in one place so migrations and tests see the whole schema."""

from connector.organisation import (
    Expectation,
    Feedback,
    Goal,
    Measure,
    Relationship,
    SiteSettings,
    Team,
)
from connector.tenants import Tenant

__all__ = [
    "Expectation",
    "Feedback",
    "Goal",
    "Measure",
    "Relationship",
    "SiteSettings",
    "Team",
    "Tenant",
]
