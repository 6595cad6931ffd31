"""Every table the app owns, imported in one place so migrations and tests see the whole schema."""

from connector.crossteam import Improvement, IssueLink
from connector.feedback import CommentMark
from connector.feedback_requests import FeedbackRequest
from connector.forge.installations import ForgeInstallation  # Forge Remote adapter
from connector.healthviews import HealthSnapshot
from connector.organisation import (
    Expectation,
    Feedback,
    Goal,
    Measure,
    Relationship,
    SiteSettings,
    Team,
)
from connector.reconcile import ReconcileMark
from connector.services.pagination import SITE_ORDER_INDEXES
from connector.sync.models import OutboxTask
from connector.tenants import Tenant
from webhooks.inbox import InboxDelivery

__all__ = [
    "SITE_ORDER_INDEXES",
    "CommentMark",
    "Expectation",
    "Feedback",
    "FeedbackRequest",
    "ForgeInstallation",
    "Goal",
    "HealthSnapshot",
    "Improvement",
    "InboxDelivery",
    "IssueLink",
    "Measure",
    "OutboxTask",
    "ReconcileMark",
    "Relationship",
    "SiteSettings",
    "Team",
    "Tenant",
]
