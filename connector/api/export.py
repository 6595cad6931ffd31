"""Expectations for spreadsheets: `expectations.csv` (UTF-8 with a BOM, so spreadsheets read
accents), and the same rows as JSON for a front end that builds the file itself (Forge)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from flask import Response, jsonify

from connector.api import schemas
from connector.api.routing import api_route, load_query, site_id
from connector.db import request_session
from connector.practice.export import COLUMNS, export_rows

TAG = "expectations"
# A cell a spreadsheet would read as a formula (CSV injection) starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: str | float | int | None) -> str:
    """The cell as text; one a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def as_csv(rows: Sequence[Sequence[str | float | int | None]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([neutralised(cell) for cell in row])
    return "\ufeff" + out.getvalue()


@api_route(
    "/expectations.csv",
    "GET",
    "Expectations as CSV, one row per expectation (the list's filters; at most 10,000 rows)",
    TAG,
    query=schemas.ExportQuery,
)
def expectations_csv() -> Response:
    rows = export_rows(request_session(), site_id(), load_query(schemas.ExportQuery))
    return Response(
        as_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="expectations.csv"'},
    )


@api_route(
    "/expectations/export",
    "GET",
    "The CSV's rows as JSON, for a front end that builds the file itself",
    TAG,
    query=schemas.ExportQuery,
    answer=schemas.ExportOut,
)
def expectations_export() -> Response:
    rows = export_rows(request_session(), site_id(), load_query(schemas.ExportQuery))
    return jsonify({"columns": list(COLUMNS), "rows": rows})
