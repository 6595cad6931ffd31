"""/relationships: who supplies what to whom."""

from __future__ import annotations

from flask import Response

from connector.api import schemas
from connector.api.routing import (
    api_route,
    load_body,
    load_query,
    no_content,
    respond,
    respond_page,
    site_id,
)
from connector.db import request_session
from connector.domain.roles import Action, require
from connector.practice import relationships
from connector.practice.members import people_of
from connector.practice.roles import require_on_pair, require_on_relationship
from connector.practice.teams import find_team
from connector.web.caller import current_caller

TAG = "relationships"


@api_route(
    "/relationships",
    "POST",
    "Create a relationship",
    TAG,
    body=schemas.RelationshipIn,
    answer=schemas.RelationshipOut,
    status=201,
)
def create_relationship() -> Response:
    data = load_body(schemas.RelationshipIn)
    session = request_session()
    supplier, customer = (find_team(session, site_id(), data[s]) for s in ("supplier", "customer"))
    actions = [Action.MANAGE_RELATIONSHIP]
    if data.get("integrator_account_id"):
        actions.append(Action.NAME_INTEGRATOR)  # the integrator may agree for the customer
    standing = require_on_pair(session, current_caller(), actions, supplier, customer)
    if supplier and customer and people_of(session, [supplier]) & people_of(session, [customer]):
        require(Action.CROSS_ENROL, standing)  # else: enrol first, relate after
    made = relationships.create_relationship(session, site_id(), **data)
    return respond(schemas.RelationshipOut, made, 201)


@api_route(
    "/relationships",
    "GET",
    "List relationships",
    TAG,
    query=schemas.RelationshipQuery,
    answer=schemas.RelationshipOut,
    many=True,
    user=True,
)
def list_relationships() -> Response:
    query = load_query(schemas.RelationshipQuery)
    page = relationships.list_relationships(request_session(), site_id(), **query)
    return respond_page(schemas.RelationshipOut, page)


@api_route(
    "/relationships/<int:relationship_id>",
    "GET",
    "Read a relationship",
    TAG,
    answer=schemas.RelationshipOut,
    user=True,
)
def get_relationship(relationship_id: int) -> Response:
    found = relationships.relationship_by_id(request_session(), site_id(), relationship_id)
    return respond(schemas.RelationshipOut, found)


@api_route(
    "/relationships/<int:relationship_id>",
    "PATCH",
    "Update a relationship",
    TAG,
    body=schemas.RelationshipPatch,
    answer=schemas.RelationshipOut,
)
def update_relationship(relationship_id: int) -> Response:
    changes = load_body(schemas.RelationshipPatch)
    session = request_session()
    found = relationships.relationship_by_id(session, site_id(), relationship_id)
    standing = require_on_relationship(session, current_caller(), Action.MANAGE_RELATIONSHIP, found)
    if "integrator_account_id" in changes:
        require(Action.NAME_INTEGRATOR, standing)
    updated = relationships.update_relationship(session, site_id(), relationship_id, changes)
    return respond(schemas.RelationshipOut, updated)


@api_route(
    "/relationships/<int:relationship_id>", "DELETE", "Retire a relationship", TAG, status=204
)
def retire_relationship(relationship_id: int) -> Response:
    session = request_session()
    found = relationships.relationship_by_id(session, site_id(), relationship_id)
    require_on_relationship(session, current_caller(), Action.MANAGE_RELATIONSHIP, found)
    relationships.retire_relationship(session, site_id(), relationship_id)
    return no_content()
