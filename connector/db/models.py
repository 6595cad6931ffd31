"""Every table the app owns, imported in one place so migrations and tests see the whole schema."""

from connector.platforms.connect.tenants import Tenant
from connector.platforms.forge.installations import ForgeInstallation  # Forge Remote adapter
from connector.practice.crossteam import Improvement, IssueLink
from connector.practice.feedback import CommentMark
from connector.practice.feedback_requests import FeedbackRequest
from connector.practice.health import HealthSnapshot
from connector.practice.job_runs import JobRun
from connector.practice.members import TeamMember
from connector.practice.models import (
    Expectation,
    Feedback,
    Goal,
    Measure,
    Relationship,
    SiteSettings,
    Team,
)
from connector.practice.outbox import OutboxTask
from connector.practice.pagination import SITE_ORDER_INDEXES
from connector.practice.privacy import PrivacyAccount, PrivacyCycle
from connector.practice.review_packs import ReviewPack
from connector.practice.search import ExpectationTerm
from webhooks.inbox import InboxDelivery
from webhooks.reconcile import ReconcileMark

__all__ = [
    "SITE_ORDER_INDEXES",
    "CommentMark",
    "Expectation",
    "ExpectationTerm",
    "Feedback",
    "FeedbackRequest",
    "ForgeInstallation",
    "Goal",
    "HealthSnapshot",
    "Improvement",
    "InboxDelivery",
    "IssueLink",
    "JobRun",
    "Measure",
    "OutboxTask",
    "PrivacyAccount",
    "PrivacyCycle",
    "ReconcileMark",
    "Relationship",
    "ReviewPack",
    "SiteSettings",
    "Team",
    "TeamMember",
    "Tenant",
]
