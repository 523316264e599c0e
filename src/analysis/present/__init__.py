"""The presentation wing (issue 23): everything made for people to read, above the models.

Charts (:mod:`.plots` and the ``charts_*`` modules), tables for people (:mod:`.people`,
:mod:`.beds_report`, :mod:`.workforce_report`, :mod:`.backtest_report`, :mod:`.vintage_table`), the
要点 box (:mod:`.keypoints`), reader notes (:mod:`.method_notes`), printed names (:mod:`.labels`),
the comparison and overview pages, the scenario explorer, and one page module per notebook
(:mod:`.pages`). The models (:mod:`analysis.demography`, :mod:`analysis.services`) and the pipeline
import nothing from here; nothing here imports the runner (:mod:`analysis.run`). The contracts are in
``pyproject.toml``; ``docs/architecture.md`` says why.

Nothing is imported here: the runs index imports :mod:`.labels` without pandas.
"""
