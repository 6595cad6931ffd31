"""Personal data (docs/personal-data.md), in rooms: where accountIds live and which are held
(`accounts`), erasure of closed accounts (`erasure`), the reporting cycle Atlassian asks for
(`cycle`), and the purge of a site's data after uninstall (`purge`).

What the app holds about a person is an Atlassian accountId in a few columns (ACCOUNT_COLUMNS),
the text of the rating comments they wrote, and the inbox deliveries naming them.
"""

from __future__ import annotations

from connector.practice.privacy.accounts import (
    ACCOUNT_COLUMNS,
    PSEUDONYM_PREFIX,
    AccountColumn,
    PrivacyAccount,
    PrivacyCycle,
    held_accounts,
    held_sites,
    track_accounts,
)
from connector.practice.privacy.cycle import (
    BATCH,
    DEFAULT_CYCLE,
    MIN_CYCLE,
    CycleOutcome,
    ReportAnswer,
    Reporter,
    answer_for_site,
    apply_answer,
    due_accounts,
    due_batch,
    overdue_accounts,
    parse_cycle_period,
    report_site,
    rfc3339,
)
from connector.practice.privacy.erasure import Erasure, erase_account, erase_also, refresh_account
from connector.practice.privacy.purge import purge_site, sites_to_purge, uninstalled_since

__all__ = [
    "ACCOUNT_COLUMNS",
    "BATCH",
    "DEFAULT_CYCLE",
    "MIN_CYCLE",
    "PSEUDONYM_PREFIX",
    "AccountColumn",
    "CycleOutcome",
    "Erasure",
    "PrivacyAccount",
    "PrivacyCycle",
    "ReportAnswer",
    "Reporter",
    "answer_for_site",
    "apply_answer",
    "due_accounts",
    "due_batch",
    "erase_account",
    "erase_also",
    "held_accounts",
    "held_sites",
    "overdue_accounts",
    "parse_cycle_period",
    "purge_site",
    "refresh_account",
    "report_site",
    "rfc3339",
    "sites_to_purge",
    "track_accounts",
    "uninstalled_since",
]
