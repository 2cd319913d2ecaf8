"""The platform's own numbers (issue 17): the KPIs a consumer-experience team reports, per day
and before / after a policy change, each down to the merchants and orders behind it.

- :mod:`~anxin.platform.kpis`: the formulas, pure, over daily facts (one unit per order,
  chat session, payout or screened listing);
- :mod:`~anxin.platform.facts`: those facts read from the store (the only I/O);
- :mod:`~anxin.platform.policy`: a pack as readable rules and the diff of two packs.
"""
