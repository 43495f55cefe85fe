"""The escalation sweep as a periodic job (xinfang.background); the manual command is ``escalate``."""

from __future__ import annotations

from datetime import timedelta

from xinfang.background import periodic


@periodic("escalation_sweep", every=timedelta(minutes=15), offset=timedelta(minutes=2))
def escalation_sweep_job() -> str:
    """到期提醒、逾期升级与黄牌记录（按升级规则）"""
    from xinfang.escalation.sweep import run_sweep

    return str(run_sweep())
