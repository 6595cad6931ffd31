"""/teams/{key}/health-history: each relationship's daily health, the last 90 days."""

from __future__ import annotations

from flask import Response, jsonify

from connector.api import schemas
from connector.api.routing import api_route, site_id
from connector.db import request_session, utcnow
from connector.practice.history import team_history


@api_route(
    "/teams/<key>/health-history",
    "GET",
    "The daily health of each of the team's relationships over the last 90 days",
    "teams",
    answer=schemas.HealthHistoryOut,
)
def health_history(key: str) -> Response:
    found = team_history(request_session(), site_id(), key, utcnow().date())
    return jsonify(
        {
            "days": 90,
            "relationships": [
                {
                    "relationshipId": relationship_id,
                    "values": [
                        {
                            "day": s.day.isoformat(),
                            "score": None if s.score is None else round(s.score, 3),
                            "band": s.band,
                        }
                        for s in snapshots
                    ],
                }
                for relationship_id, snapshots in found.items()
            ],
        }
    )
