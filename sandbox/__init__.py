"""A local Atlassian Cloud site (Jira + Confluence) that installs and exercises the app."""

from sandbox.connect.install import InstallError
from sandbox.simulator import Sandbox

__all__ = ["InstallError", "Sandbox"]
