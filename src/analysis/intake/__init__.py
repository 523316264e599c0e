"""The operator's intake: ``validate`` and ``ingest`` (issue 23: one-way floors).

A table is accepted only if a run could use it, and a run's base populations are built by the
models (:mod:`analysis.demography.base`): so the checks that try that build before a table is
stored or a run starts sit here, one floor above the models and below the runner, and the input
floor (:mod:`analysis.data`: registry, schemas, gates, readers, merge, vintages) imports no model.

- :mod:`.checks` — the one validation path of every input (``validate``, ``ingest``, each run);
- :mod:`.ingest` — ``python -m analysis ingest``: store, list, roll back, template.
"""
