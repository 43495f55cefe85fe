"""The escalation ladder: deadlines remind by themselves, and lapses are recorded against units.

Rules are data (``EscalationRuleSet`` / ``EscalationRule``, with effective
dates, inherited down the org tree like the clock's rule sets): for a clock
(a stored ``clock.Deadline`` clock, or a supervision ``TRACKED`` kind), when
(N calendar or working days before the due date, on it, or after it), whom
to notify and whether a yellow card (黄牌) is recorded on the owing unit.
``CardPolicy`` turns N yellow cards within M days into a red card (红牌).

The sweep (``sweep.run_sweep``; periodic job ``escalation_sweep`` and the
``escalate`` command) reads, per rule, only the items whose trigger date
arrived since its ``SweepCursor``; each item is handled in one transaction,
and notifications are keyed ``esc:{rule}:{source}:{pk}:v{version}`` so a
reminder is sent once per due-date version.

Cards are against units only, never petitioners. ``cards_for(org, period)``
is the statistics' entry point.
"""
