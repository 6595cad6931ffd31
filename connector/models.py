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
from connector.services.pagination import SITE_ORDER_INDEXES
from connector.sync.models import IssueLink, OutboxTask
from connector.tenants import Tenant

__all__ = [
    "SITE_ORDER_INDEXES",
    "Expectation",
    "Feedback",
    "Goal",
    "IssueLink",
    "Measure",
    "OutboxTask",
    "Relationship",
    "SiteSettings",
    "Team",
    "Tenant",
]
