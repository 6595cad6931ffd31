"""The integrator's review page: every relationship one leader integrates, for one period, those
needing attention first (unhealthy, then at risk, then without feedback), each with its health,
trend, what is at risk or breached, stale feedback, proposals, and a link to its review pack.

Its title carries a short digest of the integrator's account, not the accountId itself: unique
per integrator and stable, so asking again updates the same page; the page names the integrator
with a mention, which Confluence shows as their name. Its outcome is a `ReviewPack` row (no
relationship, the integrator's accountId): a failed write is listed in the operations view and
retried as a relationship's pack is.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import datetime

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.domain.errors import Conflict, Forbidden
from connector.domain.periods import Period
from connector.jira.adf import adf_doc, adf_mention
from connector.jira.confluence import confluence_site
from connector.jira.site import JiraCallFailed
from connector.practice.models import Relationship
from connector.practice.review_content import ReviewContent, review_content
from connector.practice.review_document import (
    BAND_STATUS,
    BAND_WORDS,
    TREND_WORDS,
    MacroNode,
    Node,
    cell,
    heading,
    paragraph,
    score_text,
    status,
    table,
    text,
)
from connector.practice.review_packs import (
    PackState,
    ReviewPack,
    record_failure,
    record_written,
    require_started,
    review_space,
    scheduled_on,
    unwritten_row,
    written_on,
)

log = logging.getLogger(__name__)

# Worst first: what an integrator should look at before the rest.
ATTENTION = {"unhealthy": 0, "at_risk": 1, "no_feedback": 2, "healthy": 3}


def integrated(session: Session, site_id: str, account_id: str) -> list[Relationship]:
    return list(
        session.scalars(
            select(Relationship)
            .where(
                Relationship.site_id == site_id,
                Relationship.integrator_account_id == account_id,
                Relationship.state == "active",
            )
            .order_by(Relationship.id)
        )
    )


def integrator_title(site_id: str, account_id: str, period: Period) -> str:
    digest = hashlib.sha256(f"{site_id}/{account_id}".encode()).hexdigest()[:8]
    return f"Integrator review {period.label} · {digest}"


def attention_order(content: ReviewContent) -> tuple[int, int, int, str]:
    band = content.end.band if content.end else "no_feedback"
    return (
        ATTENTION.get(band, 2),
        -len(content.trouble),
        -len(content.stale),
        content.relationship.supplier.name,
    )


def _link(value: str, href: str | None) -> Node:
    node = text(value)
    if href:
        node["marks"] = [{"type": "link", "attrs": {"href": href}}]
    return node


def integrator_document(
    account_id: str,
    period: Period,
    contents: list[ReviewContent],
    packs: Mapping[int, ReviewPack],
    macro_node: MacroNode,
) -> Node:
    rows = []
    for content in sorted(contents, key=attention_order):
        r = content.relationship
        end = content.end
        pack = packs.get(r.id)
        rows.append(
            [
                cell(
                    paragraph(
                        _link(
                            f"{r.supplier.name} → {r.customer.name}: {r.service}",
                            pack.page_url if pack else None,
                        )
                    )
                ),
                cell(
                    paragraph(
                        text(f"{score_text(end.score)} "),
                        status(BAND_WORDS[end.band], BAND_STATUS[end.band]),
                    )
                    if end
                    else paragraph(text("no snapshot"))
                ),
                cell(paragraph(text(TREND_WORDS[content.trend]))),
                cell(paragraph(text(str(len(content.trouble))))),
                cell(paragraph(text(str(len(content.stale))))),
                cell(paragraph(text(str(len(content.proposed))))),
            ]
        )
    return adf_doc(
        paragraph(
            text("Relationships integrated by "),
            adf_mention(account_id),
            text(
                f" in {period.label} ({period.first_day.isoformat()} to"
                f" {period.last_day.isoformat()}), those needing attention first."
                " Each links to its review pack when one is written."
            ),
        ),
        heading(2, "Relationships"),
        table(
            (
                "Relationship",
                "Health",
                "Trend",
                "At risk or breached",
                "Stale feedback",
                "Proposed",
            ),
            rows,
        ),
        heading(2, "Integrator map (live)"),
        macro_node("integrator-map", {}),
    )


def _found(session: Session, site_id: str, account_id: str, period: Period) -> ReviewPack | None:
    return session.scalars(
        select(ReviewPack).where(
            ReviewPack.site_id == site_id,
            ReviewPack.integrator_account_id == account_id,
            ReviewPack.period == period.label,
        )
    ).first()


def _row(session: Session, site_id: str, account_id: str, period: Period) -> ReviewPack:
    return _found(session, site_id, account_id, period) or unwritten_row(
        session, site_id, period, integrator_account_id=account_id
    )


def _packs(
    session: Session, site_id: str, period: Period, relationships: list[Relationship]
) -> dict[int, ReviewPack]:
    """The relationships' written packs for the period, by relationship id (for the links)."""
    found = session.scalars(
        select(ReviewPack).where(
            ReviewPack.site_id == site_id,
            ReviewPack.period == period.label,
            ReviewPack.relationship_id.in_([r.id for r in relationships]),
            ReviewPack.page_url.is_not(None),
        )
    )
    return {pack.relationship_id: pack for pack in found if pack.relationship_id is not None}


def write_integrator_page(
    app: Flask, session: Session, site_id: str, account_id: str, period: Period, now: datetime
) -> ReviewPack:
    """Write (or rewrite) the integrator's page; its row says how it went (a failure to reach
    Confluence is recorded, not raised, and listed in the operations view with its retry).
    Raises Forbidden when the account integrates nothing, Conflict when no space is chosen."""
    require_started(period, now)
    relationships = integrated(session, site_id, account_id)
    if not relationships:
        raise Forbidden(
            "only a relationship's integrator may write an integrator review page, and this"
            " account integrates no relationship",
            code="role_required",
        )
    space_key = review_space(session, site_id)
    row = _row(session, site_id, account_id, period)
    row.title, row.space_key, row.requested_at = (
        integrator_title(site_id, account_id, period),
        space_key,
        now,
    )
    row.attempts = (row.attempts or 0) + 1
    contents = [review_content(session, r, period, now) for r in relationships]
    packs = _packs(session, site_id, period, relationships)
    try:
        confluence = confluence_site(app, session, site_id)
        document = integrator_document(account_id, period, contents, packs, confluence.macro_node)
        written = confluence.write_page(
            confluence.space_id(space_key),
            row.title,
            document,
            message="Integrator review rewritten by the Internal Customer Map",
        )
    except (JiraCallFailed, LookupError) as exc:
        record_failure(row, exc)
        log.warning(
            "integrator page not written",
            extra={"review_pack": row.id, "period": period.label, "error": row.error},
        )
    else:
        record_written(row, written, now)
    session.flush()
    return row


def retry_page(app: Flask, session: Session, row: ReviewPack, now: datetime) -> ReviewPack:
    """Write an integrator's page again, for the integrator and period of its row."""
    if row.integrator_account_id is None:
        raise Conflict(f"review pack {row.id} is a relationship's pack", code="relationship_pack")
    return write_integrator_page(
        app, session, row.site_id, row.integrator_account_id, Period.parse(row.period), now
    )


def write_integrator_pages(app: Flask, session: Session, site_id: str, now: datetime) -> int:
    """The quarterly run's integrator pages (one per integrator of a live relationship), on the
    days the site's packs are written (one written today is left alone); a failure is recorded
    and the next integrator's written. Pages written."""
    if not scheduled_on(session, site_id, now):
        return 0
    integrators = session.scalars(
        select(Relationship.integrator_account_id)
        .where(
            Relationship.site_id == site_id,
            Relationship.state == "active",
            Relationship.integrator_account_id.is_not(None),
        )
        .distinct()
    )
    period = Period.of(now.date())
    written = 0
    for account_id in sorted(a for a in integrators if a):
        if written_on(_found(session, site_id, account_id, period), now):
            continue
        row = write_integrator_page(app, session, site_id, account_id, period, now)
        written += row.state == PackState.WRITTEN
    return written
