"""One page module per notebook (issue 23): a notebook's code cells import only their page.

Each module gathers what its notebook shows — the model calls, charts, tables for people, the
要点 box and the method notes — so a notebook stays thin and the logic it needs lives here, tested:

=========================  ==================================
``population``             01_population_projection
``beds``                   02_elder_care_beds
``workforce``              03_social_work_workforce
``assistance``             04_assistance_wage_linkage
``indicators``             05_plan_indicators
``overview``               90_city_overview
``backtest``               91_backtest
``ledger``                 92_plan_ledger
``explorer``               99_scenario_explorer
=========================  ==================================

Nothing is imported here: a notebook imports its own page only.
"""
