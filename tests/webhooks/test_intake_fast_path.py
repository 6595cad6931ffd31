"""The intake's fast path: group commit (each delivery answered after the commit that holds it,
duplicates refused, one bad row failing only itself) and the verified-tenant cache (re-install,
uninstall and disable take effect at once, in this process and, through NOTIFY, in others)."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from connector.db import get_db, unpinged_engine
from connector.platforms.connect.tenant_cache import TenantCache
from connector.platforms.connect.tenants import SqlTenantStore, TenantState
from tests.support.atlassian import post_json
from tests.webhooks.support import captured, deliver, install
from webhooks.committer import GroupCommitter
from webhooks.inbox import Delivery, InboxDelivery
from webhooks.intake import COMMITTER


def stored(app: Flask) -> int:
    with get_db(app).transaction() as session:
        return int(session.scalar(select(func.count()).select_from(InboxDelivery)) or 0)


def delivery(webhook_id: str | None, client_key: str = "ck", event: str = "comment_created") -> Any:
    return Delivery(
        site_id="site",
        client_key=client_key,
        event=event,
        webhook_id=webhook_id,
        retry_count=0,
        flow="Primary",
        body="{}",
        event_at=None,
    )


def postgres_only(app: Flask) -> None:
    if get_db(app).engine.dialect.name != "postgresql":
        pytest.skip("group commit and NOTIFY are PostgreSQL features")


def test_group_commit_answers_each_after_its_commit(any_app: Flask) -> None:
    postgres_only(any_app)
    batches: list[int] = []
    committer = GroupCommitter(unpinged_engine(get_db(any_app).url), on_batch=batches.append)
    ids = [f"w-{i % 150}" for i in range(300)]  # every identifier twice
    with ThreadPoolExecutor(max_workers=32) as pool:
        fresh = list(pool.map(lambda w: committer.submit(delivery(w)), ids))
    assert sum(fresh) == 150  # each identifier stored once, the other answered as a duplicate
    assert stored(any_app) == 150  # a True answer means the row was already committed
    assert sum(batches) == 300 and len(batches) < 300  # several deliveries shared a commit
    committer.engine.dispose()


def test_a_bad_row_fails_only_its_own_delivery(any_app: Flask) -> None:
    postgres_only(any_app)
    committer = GroupCommitter(unpinged_engine(get_db(any_app).url))
    too_long = delivery("w-bad", client_key="c" * 300)  # longer than the column allows
    results: dict[str, Any] = {}
    gate = threading.Barrier(3)

    def send(name: str, item: Delivery) -> None:
        gate.wait()
        try:
            results[name] = committer.submit(item)
        except RuntimeError as exc:
            results[name] = exc

    threads = [
        threading.Thread(target=send, args=(name, item))
        for name, item in (
            ("good", delivery("w-good")),
            ("bad", too_long),
            ("other", delivery(None)),
        )
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results["good"] is True and results["other"] is True
    assert isinstance(results["bad"], RuntimeError)
    assert stored(any_app) == 2
    committer.engine.dispose()


def test_receivers_use_the_group_committer_on_postgres(
    any_app: Flask, signing_key: Any, kid: str
) -> None:
    site = install(any_app, signing_key, kid)
    client = any_app.test_client()
    body = captured("comment_created.json")
    first = deliver(client, site, "comment-created", body, webhook_id="same")
    again = deliver(client, site, "comment-created", body, webhook_id="same", retry=1)
    assert (first.status_code, again.status_code) == (204, 204)
    assert "X-ICM-Duplicate" not in first.headers and again.headers["X-ICM-Duplicate"] == "1"
    postgres = get_db(any_app).engine.dialect.name == "postgresql"
    assert (COMMITTER in any_app.extensions) is postgres
    assert stored(any_app) == 1


def test_a_reinstall_with_a_new_secret_is_accepted_at_once(
    any_app: Flask, signing_key: Any, kid: str
) -> None:
    site = install(any_app, signing_key, kid)
    client = any_app.test_client()
    body = captured("comment_created.json")
    assert deliver(client, site, "comment-created", body).status_code == 204  # now cached
    site.shared_secret = uuid.uuid4().hex * 2
    # The new secret reaches the store without this process's lifecycle route (another process
    # took the re-install): the kept secret refuses the token, the stored one accepts it.
    with get_db(any_app).transaction() as session:
        SqlTenantStore(session).get(site.client_key).shared_secret = site.shared_secret  # type: ignore[union-attr]
    assert deliver(client, site, "comment-created", body).status_code == 204


def test_uninstall_and_disable_refuse_at_once(any_app: Flask, signing_key: Any, kid: str) -> None:
    site = install(any_app, signing_key, kid)
    client = any_app.test_client()
    body = captured("comment_created.json")
    assert deliver(client, site, "comment-created", body).status_code == 204
    disabled = post_json(
        client, "/disabled", site.payload("disabled"), site.tenant_token("POST", "/disabled")
    )
    assert disabled.status_code == 204
    assert deliver(client, site, "comment-created", body).status_code == 401
    enabled = post_json(
        client, "/enabled", site.payload("enabled"), site.tenant_token("POST", "/enabled")
    )
    assert enabled.status_code == 204
    assert deliver(client, site, "comment-created", body).status_code == 204
    gone = post_json(
        client, "/uninstalled", site.payload("uninstalled"), site.install_token("/uninstalled")
    )
    assert gone.status_code == 204
    assert deliver(client, site, "comment-created", body).status_code == 401


def test_another_process_change_reaches_the_cache_by_notify(
    any_app: Flask, signing_key: Any, kid: str
) -> None:
    postgres_only(any_app)
    site = install(any_app, signing_key, kid)
    cache = TenantCache(60.0, get_db(any_app).engine)
    loads: list[str] = []

    def load(key: str) -> Any:
        loads.append(key)
        with get_db(any_app).transaction() as session:
            tenant = SqlTenantStore(session).get(key)
            return None if tenant is None else tenant.state

    deadline = time.monotonic() + 10
    while not cache._usable:  # the listener connects in the background
        cache.lookup(site.client_key, load)
        assert time.monotonic() < deadline, "the listener never started"
        time.sleep(0.05)
    loads.clear()
    assert cache.lookup(site.client_key, load) == ("installed", True)
    # Another process (here: another session, with no cache of its own) uninstalls.
    with get_db(any_app).transaction() as session:
        SqlTenantStore(session).set_state(site.client_key, TenantState.UNINSTALLED)
    deadline = time.monotonic() + 5
    while cache.lookup(site.client_key, load)[1]:
        assert time.monotonic() < deadline, "the NOTIFY never dropped the entry"
        time.sleep(0.01)
    assert cache.lookup(site.client_key, load) == ("uninstalled", True)
    assert loads[0] == site.client_key
