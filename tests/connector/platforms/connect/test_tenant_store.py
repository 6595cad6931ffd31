"""One contract for the tenant store, run on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy.orm import Session

from connector.platforms.connect.tenants import Installation, SqlTenantStore, TenantState


def installation(client_key: str = "c-1", **overrides: str) -> Installation:
    fields = {
        "client_key": client_key,
        "app_key": "com.example.app",
        "shared_secret": "s" * 40,
        "base_url": "https://acme.atlassian.net",
        "product_type": "jira",
        "cloud_id": "cloud-1",
    }
    fields.update(overrides)
    return Installation(**fields)


def test_save_then_get(db_session: Session) -> None:
    store = SqlTenantStore(db_session)
    store.save_installation(installation())
    tenant = store.get("c-1")
    assert tenant is not None
    assert (tenant.site_id, tenant.state, tenant.shared_secret) == (
        "cloud-1",
        "installed",
        "s" * 40,
    )
    assert tenant.installed_at.tzinfo is not None


def test_save_again_updates_in_place(db_session: Session) -> None:
    store = SqlTenantStore(db_session)
    first = store.save_installation(installation())
    installed_at = first.installed_at
    store.set_state("c-1", TenantState.UNINSTALLED)
    store.save_installation(
        installation(base_url="https://renamed.atlassian.net", shared_secret="t" * 40)
    )
    db_session.expire_all()
    tenant = store.get("c-1")
    assert tenant is not None
    assert tenant.base_url == "https://renamed.atlassian.net"
    assert tenant.shared_secret == "t" * 40
    assert tenant.state == "installed"
    assert tenant.installed_at == installed_at
    assert len(store.active()) == 1


def test_site_without_cloud_id_is_the_host(db_session: Session) -> None:
    store = SqlTenantStore(db_session)
    store.save_installation(installation("j", cloud_id="", base_url="https://Acme.atlassian.net"))
    store.save_installation(
        installation(
            "c", cloud_id="", base_url="https://acme.atlassian.net/wiki", product_type="confluence"
        )
    )
    jira, confluence = store.get("j"), store.get("c")
    assert jira is not None and confluence is not None
    assert jira.site_id == confluence.site_id == "acme.atlassian.net"
    assert store.for_site("acme.atlassian.net", "confluence") is confluence


def test_for_site_skips_inactive_installations(db_session: Session) -> None:
    store = SqlTenantStore(db_session)
    store.save_installation(installation("old"))
    store.set_state("old", TenantState.UNINSTALLED)
    assert store.for_site("cloud-1", "jira") is None
    store.save_installation(installation("new"))
    found = store.for_site("cloud-1", "jira")
    assert found is not None and found.client_key == "new"


def test_set_state_of_unknown_tenant_is_none(db_session: Session) -> None:
    assert SqlTenantStore(db_session).set_state("ghost", TenantState.DISABLED) is None


def test_active_lists_installed_and_enabled_only(db_session: Session) -> None:
    store = SqlTenantStore(db_session)
    for key, state in [
        ("a", TenantState.ENABLED),
        ("b", TenantState.DISABLED),
        ("c", TenantState.INSTALLED),
    ]:
        store.save_installation(installation(key))
        store.set_state(key, state)
    assert [t.client_key for t in store.active()] == ["a", "c"]


def test_repr_hides_the_secret(db_session: Session) -> None:
    tenant = SqlTenantStore(db_session).save_installation(installation())
    assert "s" * 40 not in repr(tenant)
