"""The presentation wing (issue 23): everything made for people to read, above the models.

Charts (:mod:`.plots` and the ``charts_*`` modules), tables for people (:mod:`.people`,
:mod:`.beds_report`, :mod:`.workforce_report`, :mod:`.backtest_report`, :mod:`.vintage_table`), the
要点 box (:mod:`.keypoints`), reader notes (:mod:`.method_notes`), printed names (:mod:`.labels`),
the comparison and overview pages, the scenario explorer, one page module per notebook
(:mod:`.pages`), and what a run writes for people: its index page (:mod:`.html`), each notebook's
page (:mod:`.notebook_html`, :mod:`.chart_files`), the workbook (:mod:`.excel`), the briefs
(:mod:`.brief`), the one-pagers (:mod:`.onepager`, :mod:`.svgchart`) and the citation block
(:mod:`.citation`); the runner only calls them and writes the files. The models
(:mod:`analysis.demography`, :mod:`analysis.services`) and the pipeline import nothing from here;
nothing here imports the runner (:mod:`analysis.run`). The contracts are in ``pyproject.toml``;
``docs/architecture.md`` says why.

Nothing is imported here: the runs index imports :mod:`.runs_page`, :mod:`.clock` and :mod:`.labels`
without pandas.
"""
