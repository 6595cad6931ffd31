"""Every table the app owns, imported in one place so migrations and tests see the whole schema."""

from connector.tenants import Tenant

__all__ = ["Tenant"]
