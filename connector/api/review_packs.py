"""/relationships/{id}/review-pack: write the relationship's review pack page in Confluence;
/review-packs/integrator: write the caller's integrator page; /review-packs/{id}/retry: write a
failed one of either again (from the operations view), as its own asker or an administrator."""

from __future__ import annotations

from flask import Response, current_app
from marshmallow import Schema, fields, validate

from connector.api.routing import api_route, load_query, respond, site_id
from connector.db import request_session, utcnow
from connector.domain.caller import Caller
from connector.domain.errors import UpstreamError
from connector.domain.periods import Period
from connector.domain.roles import Action, Standing, require
from connector.practice import review_integrator, review_packs
from connector.practice.relationships import relationship_by_id
from connector.practice.review_packs import PackState, ReviewPack
from connector.practice.roles import (
    is_site_admin,
    relationship_standing,
    require_on_relationship,
    require_user,
)
from connector.web.caller import current_caller

TAG = "review packs"


class ReviewPackQuery(Schema):
    period = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^\d{4}-Q[1-4]$", error="must be a quarter like 2026-Q4"),
    )


class ReviewPackOut(Schema):
    id = fields.Integer(required=True)
    # A relationship's pack names its relationship; an integrator's page, its integrator.
    relationship_id = fields.Integer(data_key="relationshipId", allow_none=True, required=True)
    integrator_account_id = fields.String(
        data_key="integratorAccountId", allow_none=True, required=True
    )
    period = fields.String(required=True)
    title = fields.String(required=True)
    space_key = fields.String(data_key="spaceKey", required=True)
    page_id = fields.String(data_key="pageId", allow_none=True, required=True)
    url = fields.String(attribute="page_url", allow_none=True, required=True)
    version = fields.Integer(attribute="page_version", allow_none=True, required=True)
    state = fields.String(required=True, validate=validate.OneOf([s.value for s in PackState]))
    error = fields.String(allow_none=True, required=True)
    attempts = fields.Integer(required=True)
    written_at = fields.DateTime(data_key="writtenAt", allow_none=True, required=True)


class IntegratorPageOut(Schema):
    id = fields.String(attribute="page_id", required=True)
    title = fields.String(required=True)
    url = fields.String(attribute="page_url", required=True)
    version = fields.Integer(attribute="page_version", required=True)
    review_pack_id = fields.Integer(attribute="id", data_key="reviewPackId", required=True)


def _answer(pack: ReviewPack, schema: type[Schema] = ReviewPackOut) -> Response:
    if pack.state == PackState.FAILED:
        request_session().commit()  # the failure stays recorded for the operations view
        what = "review pack" if pack.relationship_id is not None else "integrator page"
        raise UpstreamError(
            f"the {what} was not written: {pack.error}",
            details={"reviewPackId": pack.id, "retry": f"/api/v1/review-packs/{pack.id}/retry"},
        )
    return respond(schema, pack)


@api_route(
    "/relationships/<int:relationship_id>/review-pack",
    "POST",
    "Write the relationship's review pack page in Confluence for a quarter (default: this one)",
    TAG,
    query=ReviewPackQuery,
    answer=ReviewPackOut,
    errors=(400, 401, 403, 404, 409, 422, 502),
)
def write_review_pack(relationship_id: int) -> Response:
    query = load_query(ReviewPackQuery)
    session, now = request_session(), utcnow()
    relationship = relationship_by_id(session, site_id(), relationship_id)
    require_on_relationship(session, current_caller(), Action.REVIEW_PACK, relationship)
    period = Period.parse(query["period"]) if query.get("period") else Period.of(now.date())
    pack = review_packs.write_review_pack(current_app, session, relationship, period, now)
    return _answer(pack)


@api_route(
    "/review-packs/<int:pack_id>/retry",
    "POST",
    "Write a review pack again (after a failure)",
    TAG,
    answer=ReviewPackOut,
    errors=(400, 401, 403, 404, 409, 502),
)
def retry_review_pack(pack_id: int) -> Response:
    session, caller, now = request_session(), current_caller(), utcnow()
    pack = review_packs.pack_by_id(session, site_id(), pack_id)
    require_user(caller)
    if pack.relationship_id is None:  # an integrator's page
        _may_retry_integrator_page(caller, pack)
        return _answer(review_integrator.retry_page(current_app, session, pack, now))
    relationship = relationship_by_id(session, site_id(), pack.relationship_id)
    standing = relationship_standing(
        session, caller.site_id, caller.account_id, relationship, ask_admin=True
    )
    if not standing.site_admin:  # administrators retry from the operations view
        require(Action.REVIEW_PACK, standing)
    return _answer(review_packs.retry_pack(current_app, session, pack, now))


def _may_retry_integrator_page(caller: Caller, pack: ReviewPack) -> None:
    """The integrator whose page it is (who asks for it), or an administrator (retry only)."""
    if caller.account_id == pack.integrator_account_id:
        return
    if not is_site_admin(request_session(), caller.site_id, caller.account_id):
        require(Action.INTEGRATOR_PAGE, Standing(caller.account_id))


@api_route(
    "/review-packs/integrator",
    "POST",
    "Write the caller's integrator review page: every relationship they integrate, for a quarter",
    TAG,
    query=ReviewPackQuery,
    answer=IntegratorPageOut,
    errors=(400, 401, 403, 409, 422, 502),
)
def write_integrator_page() -> Response:
    query = load_query(ReviewPackQuery)
    session, caller, now = request_session(), current_caller(), utcnow()
    require_user(caller)
    period = Period.parse(query["period"]) if query.get("period") else Period.of(now.date())
    page = review_integrator.write_integrator_page(
        current_app, session, site_id(), str(caller.account_id), period, now
    )
    return _answer(page, IntegratorPageOut)
