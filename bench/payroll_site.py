"""The site the API and search benches load: one Connect tenant, PAY supplying HR."""

from __future__ import annotations

import uuid

from flask import Flask

from connector import create_app
from connector.db import Database, get_db
from connector.db.models import Relationship, Team
from connector.platforms.connect.tenants import Installation, SqlTenantStore

SITE = "bench.atlassian.net"
CLIENT_KEY = "bench-client"
SECRET = uuid.uuid4().hex * 2


def payroll_site(database_url: str) -> tuple[Flask, int]:
    """The migrated app with the tenant installed; the PAY → HR relationship's id."""
    Database(database_url).migrate()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
            "BASE_URL": "https://icm.example.test",
        }
    )
    with get_db(app).transaction() as session:
        SqlTenantStore(session).save_installation(
            Installation(
                client_key=CLIENT_KEY,
                app_key="bench",
                shared_secret=SECRET,
                base_url=f"https://{SITE}",
                product_type="jira",
            )
        )
        pay = Team(site_id=SITE, key="PAY", name="Payroll", jira_project_key="PAY")
        hr = Team(site_id=SITE, key="HR", name="People", jira_project_key="HR")
        relationship = Relationship(site_id=SITE, supplier=pay, customer=hr, service="payroll")
        session.add_all([pay, hr, relationship])
        session.flush()
        return app, relationship.id
