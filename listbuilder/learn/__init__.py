"""Close the loop from deals: backtest a profile, learn a draft one, flag drift.

`read_deals` reads a CRM deals export; `backtest_deals` answers "does our profile
predict success?"; `learn_profile` drafts a profile from won vs lost deals;
`review_deals` compares the last window with the one before.
"""

from __future__ import annotations

from listbuilder.learn.backtest import Backtest, backtest_deals
from listbuilder.learn.deals import DEAL_ALIASES, Deals, read_deals
from listbuilder.learn.draft import Draft, write_draft
from listbuilder.learn.learn import learn_profile
from listbuilder.learn.report import render_backtest, write_backtest
from listbuilder.learn.review import Review, review_deals

__all__ = [
    "DEAL_ALIASES",
    "Backtest",
    "Deals",
    "Draft",
    "Review",
    "backtest_deals",
    "learn_profile",
    "read_deals",
    "render_backtest",
    "review_deals",
    "write_backtest",
    "write_draft",
]
