"""The REST API's shapes (marshmallow 4): camelCase on the wire, snake_case for the services.

Input schemas raise on unknown keys; `load` gives the keyword arguments a service takes.
Output schemas dump ORM rows (or views wrapping them). `connector.api.openapi` turns both into
the OpenAPI document, so a field declared here is documented there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from connector.domain.accounts import PROBLEM as ACCOUNT_ID_PROBLEM
from connector.domain.accounts import is_account_id
from connector.domain.conversation import FIELDS as FOLLOW_UP_FIELDS
from connector.domain.conversation import QUESTION_MAX
from connector.domain.states import ExpectationState
from connector.practice.crossteam import LinkOrigin, LinkState
from connector.practice.members import MAX_MEMBERS
from connector.practice.models import SyncState

KEY = validate.Regexp(r"^[A-Z][A-Z0-9_]{0,31}$", error="must be 1-32 capitals, digits or _")
ISSUE_KEY = validate.Regexp(r"^[A-Z][A-Z0-9_]*-[0-9]+$", error="must be an issue key like IT-12")
# Row ids are INTEGER columns, and PostgreSQL's (int4) is the narrowest: an id beyond it names no
# row, and the database driver would raise on it rather than find nothing.
MAX_ID = 2**31 - 1
ID = validate.Range(1, MAX_ID, error="must be an id from {min} to {max}")
PRIORITIES = ("high", "medium", "low")
STATES = tuple(s.value for s in ExpectationState)
SYNC_STATES = tuple(s.value for s in SyncState)
LINK_ORIGINS = tuple(o.value for o in LinkOrigin)
LINK_STATES = tuple(s.value for s in LinkState)


def _utf8(value: str) -> None:
    """An unpaired surrogate (JSON may escape one: "\\ud800") is not UTF-8: no database holds it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError("must not contain unpaired surrogates") from exc


# Free text every database we support can store; PostgreSQL refuses NUL (U+0000).
STORABLE: list[Callable[[str], Any]] = [
    validate.Regexp(r"^[^\x00]*$", error="must not contain NUL (U+0000)"),
    _utf8,
]


def text(*, required: bool = False, max_length: int = 10_000, **kwargs: Any) -> fields.String:
    return fields.String(
        required=required,
        validate=[validate.Length(min=1, max=max_length), *STORABLE],
        **kwargs,
    )


def optional_text(max_length: int = 10_000, **kwargs: Any) -> fields.String:
    return fields.String(
        allow_none=True, validate=[validate.Length(max=max_length), *STORABLE], **kwargs
    )


class Strict(Schema):
    class Meta:
        unknown = RAISE


# --- teams


class TeamIn(Strict):
    key = fields.String(required=True, validate=KEY)
    name = text(required=True, max_length=255)
    jira_project_key = fields.String(data_key="jiraProjectKey", allow_none=True, validate=KEY)
    lead_account_id = optional_text(128, data_key="leadAccountId")


class TeamPatch(Strict):
    name = text(max_length=255)
    jira_project_key = fields.String(data_key="jiraProjectKey", allow_none=True, validate=KEY)
    lead_account_id = optional_text(128, data_key="leadAccountId")


class TeamPermissionsOut(Schema):
    manage = fields.Boolean(required=True)


class TeamOut(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    jira_project_key = fields.String(data_key="jiraProjectKey", allow_none=True, required=True)
    lead_account_id = fields.String(data_key="leadAccountId", allow_none=True, required=True)
    # The lead's Atlassian account closed (and was erased): the team needs a new lead.
    former_lead = fields.Boolean(data_key="formerLead", required=True)
    retired_at = fields.DateTime(data_key="retiredAt", allow_none=True, required=True)
    members = fields.List(fields.String(), required=True)
    permissions = fields.Nested(TeamPermissionsOut, required=True)


def _account_id(value: str) -> None:
    if not is_account_id(value):
        raise ValidationError(ACCOUNT_ID_PROBLEM)


class MembersIn(Strict):
    account_ids = fields.List(
        fields.String(validate=_account_id),
        data_key="accountIds",
        required=True,
        validate=validate.Length(max=MAX_MEMBERS),
    )


class MembersOut(Schema):
    account_ids = fields.List(fields.String(), data_key="accountIds", required=True)


class MeTeamOut(Schema):
    key = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(("lead", "member")))


class MeOut(Schema):
    account_id = fields.String(data_key="accountId", allow_none=True, required=True)
    site_admin = fields.Boolean(data_key="siteAdmin", required=True)
    teams = fields.List(fields.Nested(MeTeamOut), required=True)


# --- relationships


class RelationshipIn(Strict):
    supplier = fields.String(required=True, validate=KEY)
    customer = fields.String(required=True, validate=KEY)
    service = text(required=True, max_length=500)
    integrator_account_id = optional_text(128, data_key="integratorAccountId")

    @validates_schema
    def _two_teams(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("supplier") and data.get("supplier") == data.get("customer"):
            raise ValidationError("a team cannot be its own customer", field_name="customer")


class RelationshipPatch(Strict):
    service = text(max_length=500)
    integrator_account_id = optional_text(128, data_key="integratorAccountId")


class TeamRef(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)


class RelationshipOut(Schema):
    id = fields.Integer(required=True)
    supplier = fields.Nested(TeamRef, required=True)
    customer = fields.Nested(TeamRef, required=True)
    service = fields.String(required=True)
    integrator_account_id = fields.String(
        data_key="integratorAccountId", allow_none=True, required=True
    )
    state = fields.String(required=True, validate=validate.OneOf(("active", "retired")))


# --- expectations


class MeasureIn(Strict):
    name = text(required=True, max_length=255)
    target = fields.Float(required=True, allow_nan=False)
    unit = optional_text(32)
    direction = fields.String(
        load_default="atLeast", validate=validate.OneOf(("atLeast", "atMost"))
    )
    source = fields.String(load_default="manual", validate=validate.OneOf(("manual", "jql")))
    jql = optional_text(2000)

    @validates_schema
    def _jql_when_counted(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("source") == "jql" and not data.get("jql"):
            raise ValidationError("required when source is 'jql'", field_name="jql")


class MeasureOut(Schema):
    name = fields.String(required=True)
    target = fields.Float(required=True)
    unit = fields.String(allow_none=True, required=True)
    direction = fields.String(required=True, validate=validate.OneOf(("atLeast", "atMost")))
    source = fields.String(required=True, validate=validate.OneOf(("manual", "jql")))
    jql = fields.String(allow_none=True, required=True)
    latest_value = fields.Float(data_key="latestValue", allow_none=True, required=True)
    attained = fields.Boolean(allow_none=True, required=True)


class ExpectationText(Strict):
    """What the customer said: the parts a counter-proposal may change."""

    statement = text(max_length=5000)
    why_it_matters = optional_text(data_key="whyItMatters")
    measures = fields.List(fields.Nested(MeasureIn), validate=validate.Length(max=20))
    growth_opportunity = optional_text(data_key="growthOpportunity")


class ExpectationPatch(ExpectationText):
    cadence_days = fields.Integer(data_key="cadenceDays", validate=validate.Range(1, 366))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    goal_id = fields.Integer(data_key="goalId", allow_none=True, strict=True, validate=ID)


class ExpectationIn(ExpectationPatch):
    relationship_id = fields.Integer(
        data_key="relationshipId", required=True, strict=True, validate=ID
    )
    statement = text(required=True, max_length=5000)


class TransitionIn(ExpectationText):
    to = fields.String(required=True, validate=validate.OneOf(STATES))


class HealthOut(Schema):
    score = fields.Float(allow_none=True, required=True)
    band = fields.String(
        required=True, validate=validate.OneOf(("healthy", "at_risk", "unhealthy", "no_feedback"))
    )
    trend = fields.String(required=True, validate=validate.OneOf(("up", "down", "flat")))
    n = fields.Integer(required=True)


class LinkOut(Schema):
    """A Jira issue link between the expectation's issue and another issue."""

    issue_key = fields.String(
        attribute="other_issue_key",
        data_key="issueKey",
        allow_none=True,
        required=True,
        metadata={"description": "the other issue; null for a link made in Jira until it is seen"},
    )
    issue_id = fields.String(
        attribute="other_issue_id", data_key="issueId", allow_none=True, required=True
    )
    link_type = fields.String(attribute="link_type_name", data_key="linkType", required=True)
    origin = fields.String(
        required=True,
        validate=validate.OneOf(LINK_ORIGINS),
        metadata={"description": "`app`: made through this API; `jira`: made in Jira"},
    )
    sync_state = fields.String(
        attribute="state",
        data_key="syncState",
        required=True,
        validate=validate.OneOf(LINK_STATES),
    )
    blocks_expectation = fields.Boolean(
        data_key="blocksExpectation",
        required=True,
        metadata={"description": "a `Blocks` link whose other issue blocks the expectation's"},
    )


class ExpectationPermissionsOut(Schema):
    transitions = fields.List(fields.String(validate=validate.OneOf(STATES)), required=True)
    edit = fields.Boolean(required=True)
    rate = fields.Boolean(required=True)
    sync = fields.Boolean(required=True)


class ExpectationOut(Schema):
    id = fields.Integer(required=True)
    relationship_id = fields.Integer(data_key="relationshipId", required=True)
    supplier = fields.String(attribute="supplier_key", required=True)
    customer = fields.String(attribute="customer_key", required=True)
    statement = fields.String(required=True)
    why_it_matters = fields.String(data_key="whyItMatters", allow_none=True, required=True)
    measures = fields.List(fields.Nested(MeasureOut), required=True)
    growth_opportunity = fields.String(data_key="growthOpportunity", allow_none=True, required=True)
    cadence_days = fields.Integer(data_key="cadenceDays", required=True)
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    goal_id = fields.Integer(data_key="goalId", allow_none=True, required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    allowed_transitions = fields.List(fields.String(), data_key="allowedTransitions", required=True)
    permissions = fields.Nested(ExpectationPermissionsOut, required=True)
    version = fields.Integer(required=True)
    jira_issue_key = fields.String(data_key="jiraIssueKey", allow_none=True, required=True)
    sync_state = fields.String(
        data_key="syncState",
        required=True,
        validate=validate.OneOf(SYNC_STATES),
        metadata={
            "description": "`pending` until pushed to Jira, `synced`, `failed` (retried), or "
            "`detached`: its issue was deleted in Jira, so `jiraIssueKey` is null and edits stay "
            "in the app; `POST /expectations/{id}/reattach` queues a new issue."
        },
    )
    sync_error = fields.String(data_key="syncError", allow_none=True, required=True)
    feedback_count = fields.Integer(data_key="feedbackCount", required=True)
    health = fields.Nested(HealthOut, required=True)
    links = fields.List(fields.Nested(LinkOut), required=True)
    agreed_at = fields.DateTime(data_key="agreedAt", allow_none=True, required=True)
    updated_at = fields.DateTime(data_key="updatedAt", required=True)


class LinkIn(Strict):
    issue_key = fields.String(
        data_key="issueKey", required=True, validate=[ISSUE_KEY, validate.Length(max=32)]
    )


# --- feedback


class FeedbackIn(Strict):
    rating = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    comment = optional_text(5000)


class FeedbackOut(Schema):
    id = fields.Integer(required=True)
    expectation_id = fields.Integer(data_key="expectationId", required=True)
    rating = fields.Integer(required=True, validate=validate.Range(1, 5))
    comment = fields.String(allow_none=True, required=True)
    author_account_id = fields.String(data_key="authorAccountId", required=True)
    source = fields.String(
        required=True,
        metadata={"description": "`api`, `panel` (the issue panel), `jira-comment` or `rovo`"},
    )
    at = fields.DateTime(required=True)


class FeedbackListOut(Schema):
    values = fields.List(fields.Nested(FeedbackOut), required=True)
    health = fields.Nested(HealthOut, required=True)


# --- goals


class GoalIn(Strict):
    team = fields.String(required=True, validate=KEY)
    title = text(required=True, max_length=255)
    description = optional_text()


class GoalPatch(Strict):
    title = text(max_length=255)
    description = optional_text()


class GoalOut(Schema):
    id = fields.Integer(required=True)
    team = fields.String(attribute="team.key", required=True)
    title = fields.String(required=True)
    description = fields.String(allow_none=True, required=True)
    state = fields.String(required=True, validate=validate.OneOf(("active", "retired")))
    jira_epic_key = fields.String(data_key="jiraEpicKey", allow_none=True, required=True)
    sync_state = fields.String(data_key="syncState", required=True)


# --- settings


class FollowUpIn(Strict):
    """One follow-up question and the field its answer feeds (connector/domain/conversation.py)."""

    field = fields.String(required=True, validate=validate.OneOf(FOLLOW_UP_FIELDS))
    question = text(required=True, max_length=QUESTION_MAX)


class FollowUpOut(Schema):
    field = fields.String(required=True, validate=validate.OneOf(FOLLOW_UP_FIELDS))
    question = fields.String(required=True)


class SettingsIn(Strict):
    issue_type = text(data_key="issueType", max_length=64)
    epic_issue_type = text(data_key="epicIssueType", max_length=64)
    link_type_name = text(data_key="linkTypeName", max_length=64)
    default_cadence_days = fields.Integer(
        data_key="defaultCadenceDays", validate=validate.Range(1, 366)
    )
    # Review packs: the Confluence space key they go to (null: none chosen), the quarterly run.
    review_space_key = fields.String(
        data_key="reviewSpaceKey",
        allow_none=True,
        validate=validate.Regexp(r"^~?[A-Za-z0-9]{1,255}$", error="must be a space key"),
    )
    review_packs_scheduled = fields.Boolean(data_key="reviewPacksScheduled")
    follow_ups = fields.List(
        fields.Nested(FollowUpIn),
        data_key="followUps",
        allow_none=True,
        validate=validate.Length(max=len(FOLLOW_UP_FIELDS)),
        metadata={
            "description": "The follow-up questions asked after the seed question, in order, "
            "each feeding one field once; null restores the default questions"
        },
    )


class SettingsOut(Schema):
    issue_type = fields.String(data_key="issueType", required=True)
    epic_issue_type = fields.String(data_key="epicIssueType", required=True)
    link_type_name = fields.String(data_key="linkTypeName", required=True)
    link_type_id = fields.String(data_key="linkTypeId", allow_none=True, required=True)
    default_cadence_days = fields.Integer(data_key="defaultCadenceDays", required=True)
    review_space_key = fields.String(data_key="reviewSpaceKey", allow_none=True, required=True)
    review_packs_scheduled = fields.Boolean(data_key="reviewPacksScheduled", required=True)
    seed_question = fields.String(data_key="seedQuestion", required=True)
    follow_ups = fields.List(
        fields.Nested(FollowUpOut),
        data_key="followUps",
        attribute="asked_follow_ups",
        required=True,
    )


# --- the customer map


class MapRelationshipOut(RelationshipOut):
    health = fields.Nested(HealthOut, required=True)
    expectations = fields.List(fields.Nested(ExpectationOut), required=True)


class CustomerMapOut(Schema):
    team = fields.Nested(TeamOut, required=True)
    suppliers = fields.List(fields.Nested(MapRelationshipOut), required=True)
    customers = fields.List(fields.Nested(MapRelationshipOut), required=True)


# --- lists and errors


class ListQuery(Strict):
    limit = fields.Integer(load_default=25, validate=validate.Range(1, 100))
    cursor = fields.String(load_default=None)


class TeamQuery(ListQuery):
    state = fields.String(load_default=None, validate=validate.OneOf(("active", "retired", "all")))


class RelationshipQuery(ListQuery):
    team = fields.String(load_default=None, validate=KEY)
    side = fields.String(load_default=None, validate=validate.OneOf(("supplier", "customer")))
    state = fields.String(load_default=None, validate=validate.OneOf(("active", "retired", "all")))


def any_of(field: fields.Field[Any], description: str, **kwargs: Any) -> fields.List[Any]:
    """A filter that may repeat: `?state=draft&state=agreed` means either."""
    return fields.List(
        field,
        load_default=None,
        **kwargs,
        validate=validate.Length(min=1, max=50),
        metadata={"description": description + "; repeat it for any of several"},
    )


class ExpectationFilters(Strict):
    team = any_of(fields.String(validate=KEY), "a team key: its expectations on either side")
    side = fields.String(load_default=None, validate=validate.OneOf(("supplier", "customer")))
    state = any_of(
        fields.String(validate=validate.OneOf((*STATES, "all"))),
        "a state (`all` includes retired; by default retired ones are left out)",
    )
    relationship_id = any_of(
        fields.Integer(validate=ID), "a relationship id", data_key="relationshipId"
    )
    issue_key = fields.String(
        data_key="issueKey",
        load_default=None,
        validate=[ISSUE_KEY, validate.Length(max=32)],
        metadata={"description": "the Jira issue an expectation became (the issue panel)"},
    )
    q = fields.String(
        load_default=None,
        validate=[validate.Length(min=1, max=200), *STORABLE],
        metadata={
            "description": "words, all of which the statement, why it matters, growth "
            "opportunity or a measure's name holds; case, accents and plurals do not matter"
        },
    )


class ExpectationQuery(ExpectationFilters, ListQuery):
    """The filters, a page at a time."""


class ExportQuery(ExpectationFilters):
    """The list's filters, without paging: an export holds every row they select."""


class ExportOut(Schema):
    columns = fields.List(fields.String(), required=True)
    rows = fields.List(
        fields.List(fields.Raw(allow_none=True)),
        required=True,
        metadata={"description": "one array per expectation, in the order of `columns`"},
    )


class HealthPoint(Schema):
    day = fields.Date(required=True)
    score = fields.Float(allow_none=True, required=True)
    band = fields.String(required=True)


class RelationshipHistory(Schema):
    relationship_id = fields.Integer(data_key="relationshipId", required=True)
    values = fields.List(fields.Nested(HealthPoint), required=True)


class HealthHistoryOut(Schema):
    days = fields.Integer(required=True)
    relationships = fields.List(fields.Nested(RelationshipHistory), required=True)


class GoalQuery(ListQuery):
    team = fields.String(load_default=None, validate=KEY)
    state = fields.String(load_default=None, validate=validate.OneOf(("active", "retired", "all")))


class ErrorDetail(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class ErrorOut(Schema):
    error = fields.Nested(ErrorDetail, required=True)
