"""One simulated Atlassian site: both products' state, installations, recorders, wiring."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any, NamedTuple

from sandbox import events
from sandbox.confluence import ConfluenceStore, Page
from sandbox.contracts import ContractChecker
from sandbox.directory import USERS, User
from sandbox.faults import FaultInjector
from sandbox.install import Installation, Installer
from sandbox.jira import JiraEvent, JiraStore
from sandbox.jira_render import JiraRenderer
from sandbox.jql import compile_jql
from sandbox.privacy import PrivacyDirectory
from sandbox.signing import InstallKeys
from sandbox.webhooks import DeliveryPolicy, WebhookDispatcher


class RecordedCall(NamedTuple):
    method: str
    path: str
    status: int


class SiteState:
    def __init__(self, specs_dir: Path | None = None, validate: bool = True) -> None:
        self.url = ""
        self.cloud_id = str(uuid.uuid4())
        self.keys = InstallKeys()
        self.jira = JiraStore()
        self.confluence = ConfluenceStore()
        self.installer = Installer("", self.cloud_id, self.keys)
        self.webhooks = WebhookDispatcher(DeliveryPolicy())
        self.faults = FaultInjector()
        self.privacy = PrivacyDirectory()  # the personal data reporting API's answers
        self.contracts = ContractChecker(specs_dir, enabled=validate)
        self.calls: list[RecordedCall] = []
        # Accounts holding Jira's ADMINISTER global permission (`POST /_sandbox/admins`): at
        # first the site's first user, who also installs the app.
        self.admins: set[str] = {USERS[0].account_id}
        # Projects only some accounts may browse (`POST /_sandbox/projects/<key>/browsers`);
        # a project not named here is browsable by every account.
        self.browsers: dict[str, set[str]] = {}
        self.contract_violations: list[str] = []
        self.record_lock = threading.Lock()
        self.jira.listeners.append(self._on_jira_event)
        self.confluence.listeners.append(self._on_page_event)

    def set_url(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.installer.site_url = self.url
        self.confluence.base_url = self.url + "/wiki"

    def renderer(self, version: int = 3) -> JiraRenderer:
        return JiraRenderer(self.jira, self.url, version)

    def installation(self, product: str) -> Installation | None:
        with self.installer.lock:
            found = self.installer.installations.get(product)
            return found if found is not None and found.installed else None

    def install(
        self, descriptor_url: str, product: str, rotate_secret: bool = True
    ) -> Installation:
        inst = self.installer.install(descriptor_url, product, rotate_secret)
        name = str(inst.descriptor.get("name") or inst.app_key)
        with self.jira.lock:
            self.jira.users[inst.app_account_id] = User(inst.app_account_id, name, "app")
        return inst

    def record_call(self, method: str, path: str, status: int) -> None:
        with self.record_lock:
            self.calls.append(RecordedCall(method, path, status))

    def record_violations(self, violations: list[str]) -> None:
        if violations:
            with self.record_lock:
                self.contract_violations.extend(violations)

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        plan = self.faults.configure(**settings)
        self.webhooks.configure(
            drop_rate=plan.dropWebhooks,
            duplicate_rate=plan.duplicateWebhooks,
            reorder_window=plan.reorderWebhooks,
            seed=plan.seed,
        )
        return dict(plan.__dict__)

    def _on_jira_event(self, event: JiraEvent) -> None:
        inst = self.installation("jira")
        if inst is None:
            return
        payload = events.jira_payload(event, self.renderer(version=2))
        issue = event.issue

        def matches(jql: str) -> bool:
            """A module's JQL `filter`, as Jira applies it: to the event's issue, if it has one."""
            return issue is None or bool(compile_jql(jql, self.jira).run([issue]))

        self.webhooks.send(
            inst,
            event.webhook_event,
            payload,
            "Secondary" if event.secondary else "Primary",
            matches,
        )

    def _on_page_event(self, event: str, page: Page, actor: str) -> None:
        inst = self.installation("confluence")
        if inst is not None:
            self.webhooks.send(inst, event, events.confluence_page_payload(page, actor, self.url))
