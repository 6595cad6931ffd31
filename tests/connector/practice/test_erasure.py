"""Erasure of a closed account, pinned row by row on both databases: the member list and the
integrator column, and the inbox's deliveries found by the accountId fields they keep, exactly
(a short or overlapping id never deletes a delivery naming someone else)."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.db import utcnow
from connector.db.models import Relationship, TeamMember
from connector.practice.privacy import erase_account, erasure
from tests.webhooks.support import CUSTOMER_MEMBER, INTEGRATOR, seed
from webhooks.erasure import erase_account as inbox_erase
from webhooks.inbox import Delivery, InboxDelivery, store
from webhooks.kept import accounts_named

NOW = utcnow()


def deliver(session: Session, site_id: str, name: str, body: str) -> None:
    store(
        session,
        Delivery(
            site_id=site_id,
            client_key=f"ck-{site_id}",
            event="comment_created",
            webhook_id=name,
            retry_count=0,
            flow=None,
            body=body,
            event_at=None,
        ),
    )


def kept_comment(author: str, text: str = "fine") -> str:
    """A delivery as the inbox keeps it (webhooks.kept): the author's accountId and the text."""
    return json.dumps(
        {
            "webhookEvent": "comment_created",
            "comment": {"id": "1", "author": {"accountId": author}, "body": text},
            "issue": {"id": "11901", "key": "TES-1"},
        },
        separators=(",", ":"),
    )


def inbox(session: Session) -> list[str]:
    return sorted(session.scalars(select(InboxDelivery.webhook_id)))


def test_a_member_and_an_integrator_are_erased_from_their_columns(db_session: Session) -> None:
    for site in ("site-a", "site-b"):
        seed(db_session, site)

    member = erase_account(db_session, CUSTOMER_MEMBER, NOW)
    integrator = erase_account(db_session, INTEGRATOR, NOW)

    assert member.rows == {"team_members": 2}
    assert integrator.rows == {"relationships": 2}
    members = db_session.scalars(select(TeamMember.account_id)).all()
    assert CUSTOMER_MEMBER not in members and len(members) == 2
    integrators = db_session.scalars(select(Relationship.integrator_account_id)).all()
    assert integrators == [None, None]


def test_inbox_rows_go_by_the_author_field_not_by_substring(db_session: Session) -> None:
    closed = "557058:0f0e0d0c-aaaa-bbbb-cccc-000000000001"
    deliver(db_session, "site-a", "by-closed", kept_comment(closed))
    deliver(db_session, "site-b", "by-closed-b", kept_comment(closed))
    # Another author whose text names the closed account, and one whose id contains it.
    deliver(db_session, "site-a", "mentions", kept_comment("acc-other", f"ask {closed}"))
    deliver(db_session, "site-a", "longer-id", kept_comment(f"{closed}-2"))
    # A parked delivery, kept as received: its accountId field names the account, or only text.
    parked = '{"comment": {"author": {"accountId": "' + closed + '", "displayName": "Al'
    deliver(db_session, "site-a", "parked", parked)
    deliver(db_session, "site-a", "parked-text", f"not json, about {closed}")
    db_session.execute(
        InboxDelivery.__table__.update()
        .where(InboxDelivery.webhook_id.like("parked%"))
        .values(state="parked")
    )

    erased = erase_account(db_session, closed, NOW)

    assert erased.rows == {"webhook_inbox": 3}
    assert inbox(db_session) == ["longer-id", "mentions", "parked-text"]


@pytest.mark.parametrize("member", ["a", "acc", "5b10"])
def test_a_short_member_id_reported_closed_deletes_no_other_delivery(
    db_session: Session, member: str
) -> None:
    """Issue #24: a member `a` reported closed deleted every delivery whose body held an `a`."""
    deliver(db_session, "site-a", "other-site", kept_comment("5b10ac8d82e05b22cc7d4ef5"))
    deliver(db_session, "site-b", "theirs", kept_comment("acc-someone", "a cat"))

    erased = erase_account(db_session, member, NOW)

    assert erased.rows == {}
    assert inbox(db_session) == ["other-site", "theirs"]


@pytest.mark.parametrize("malformed", ["", "a b", "a%", "-a", "x\x00y", "a\n", "é", "x" * 129])
def test_a_malformed_account_id_erases_nothing(db_session: Session, malformed: str) -> None:
    seed(db_session, "site-a")
    deliver(db_session, "site-a", "one", kept_comment(malformed))
    before = db_session.scalar(select(func.count()).select_from(TeamMember))

    erased = erase_account(db_session, malformed, NOW)

    assert erased.rows == {}
    assert inbox(db_session) == ["one"]
    assert db_session.scalar(select(func.count()).select_from(TeamMember)) == before


def test_erasure_logs_what_it_did_and_never_whom(
    db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    seed(db_session, "site-a")
    with caplog.at_level(logging.INFO, logger="connector.practice.privacy.erasure"):
        erased = erase_account(db_session, CUSTOMER_MEMBER, NOW)
        refused = erase_account(db_session, "a b", NOW)
    assert (erased.account_id, refused.account_id) == (CUSTOMER_MEMBER, "a b")
    records = [(r.levelname, r.getMessage(), getattr(r, "rows", None)) for r in caplog.records]
    assert records == [
        ("INFO", "closed account erased", {"team_members": 1}),
        ("WARNING", "erasure refused: not an accountId", None),
    ]
    assert CUSTOMER_MEMBER not in caplog.text


def test_an_unregistered_inbox_eraser_stops_the_erasure(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inbox holds accountIds: an erasure that could not reach it must not pass for done."""
    monkeypatch.setattr(erasure, "_ELSEWHERE", {})
    with pytest.raises(
        erasure.EraserMissing, match=r"no eraser registered for \['webhook_inbox'\]"
    ):
        erase_account(db_session, CUSTOMER_MEMBER, NOW)


def test_the_inbox_eraser_alone(db_session: Session) -> None:
    deliver(db_session, "site-a", "list", json.dumps(["acc-x", {"accountId": "acc-x"}]))
    deliver(db_session, "site-a", "text", '{"comment": "acc-x"}')
    deliver(db_session, "site-a", "unreadable", "acc-x, not JSON")  # pending, yet no JSON
    assert inbox_erase(db_session, "a b") == 0
    assert inbox_erase(db_session, "acc-x") == 0  # neither names it in an accountId field
    assert inbox(db_session) == ["list", "text", "unreadable"]


def test_the_accountid_fields_of_a_kept_payload() -> None:
    assert accounts_named({"comment": {"author": {"accountId": "acc-1"}}}) == {"acc-1"}
    assert accounts_named({"comment": "acc-1"}) == set()
    assert accounts_named({"comment": {"author": "acc-1"}}) == set()
    assert accounts_named({"comment": {"author": {"accountId": 7}}}) == set()
