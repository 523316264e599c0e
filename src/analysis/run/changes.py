"""What changed since the previous complete run: inputs and each unit's key results, largest moves first.

Issue 27, item 7: after an ingest or a rerun no page said which inputs changed, which rows of an
ingested table were kept or dropped, or how each unit's key results moved. Every run now records
``manifest["changes"]`` (:func:`what_changed`) and its ``index.html`` opens with a section
与上次完整运行相比的变化 (:func:`analysis.present.changes_html.render_changes`, Chinese first, re-exported
here), comparing with the most recent
kept run whose status is ``complete`` (:func:`analysis.run.publish.last_complete_run`):

* ``inputs``: every input file (``data/raw/*``, ingested vintages, the scenario chain) whose
  sha256 differs, was added or is gone, with its table, vintage before → after and data rows
  before → after (a CSV's lines after the header, counted in the run's ``inputs/`` snapshot and
  recorded as ``manifest["input_rows"]``), and for an ingested vintage the rows added / replaced
  / kept / dropped per unit that ``ingest`` recorded next to it (``<vintage>.json``, ``changes``);
* ``results``: per unit and key result (``manifest["key_results"]``, the 要点 medians) the value
  before → after, the change and the relative change, sorted by the absolute relative change
  (largest first; a value appearing or disappearing counts as largest). Results are compared
  only when both runs report the same base and year (else ``comparable`` is false and says why).
* ``interventions``: the model interventions of this run (out-migration cut to the persons
  present, …) as reader text (:func:`analysis.present.method_notes.reader_text`, ids in
  :data:`INTERVENTIONS`), so a scenario that clips cohorts says so where a reader looks first.

Whatever a kept run holds is validated before use (:func:`_previous_inputs`, :func:`_previous_results`):
a wrong shape is ignored field by field, never an error after publication. Used by a real run
only (:mod:`analysis.run.staging`), so it imports the table registry and the 要点 (pandas) at its top.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .. import config
from ..data import loaders
from ..present.changes_html import SHOWN_RESULTS, render_changes  # noqa: F401 - re-exported
from ..present.keypoints import KEY_POINTS
from ..present.method_notes import manifest_notes, reader_text
from ..notes import Note
from . import publish
from .manifest import read_manifest

# note ids (catalogue/notes.yaml) that report a model changing its own numbers, with the field giving the amount
INTERVENTIONS = {"outmigration_cut": "moves"}


def csv_rows(path: Path) -> int | None:
    """Data rows of a CSV file (lines after the header, blank lines not counted); None if unreadable."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            lines = sum(1 for line in handle if line.strip())
    except OSError:
        return None
    return max(lines - 1, 0)


def input_rows(snapshot_root: Path, inputs: dict[str, str]) -> dict[str, int]:
    """``{relative path: data rows}`` of every CSV input, counted in the run's snapshot copy."""
    rows = {}
    for rel in inputs:
        if rel.endswith(".csv"):
            count = csv_rows(Path(snapshot_root) / rel)
            if count is not None:
                rows[rel] = count
    return rows


def table_and_vintage(rel: str, vintages: dict[str, str]) -> tuple[str, str]:
    """The table an input path belongs to and its vintage: ``data/processed/vintages/<kind>/<v>.csv``
    → ``(kind, v)``; a raw file → (its loader table name or file name, ``raw``)."""
    parts = rel.split("/")
    if len(parts) >= 5 and parts[:3] == ["data", "processed", "vintages"]:
        return parts[3], Path(parts[4]).stem
    if rel.startswith("data/raw/"):
        name = Path(rel).name
        table = next((t for t, spec in loaders.TABLES.items() if Path(spec.filename).name == name), name)
        return table, "raw"
    return Path(rel).name, "—"


def _str_map(value: Any) -> dict[str, Any]:
    return {k: v for k, v in value.items() if isinstance(k, str)} if isinstance(value, dict) else {}


def _previous_inputs(old: dict[str, Any], old_dir: Path | None) -> tuple[dict[str, str], dict[str, int]]:
    """The previous run's input hashes and rows, keeping only entries of the right type."""
    hashes = {k: v for k, v in _str_map(old.get("inputs")).items() if isinstance(v, str)}
    rows = {
        k: v
        for k, v in _str_map(old.get("input_rows")).items()
        if isinstance(v, int) and not isinstance(v, bool) and v >= 0
    }
    if old_dir is not None:  # an older run without input_rows: count in its snapshot
        for rel in hashes:
            if rel.endswith(".csv") and rel not in rows and ".." not in rel.split("/"):
                count = csv_rows(Path(old_dir) / "inputs" / rel)
                if count is not None:
                    rows[rel] = count
    return hashes, rows


def _merge_record(rel: str) -> dict[str, Any] | None:
    """Rows added / replaced / kept / dropped per unit that ``ingest`` recorded for a vintage."""
    parts = rel.split("/")
    if len(parts) != 5 or parts[:3] != ["data", "processed", "vintages"] or ".." in parts:
        return None
    try:
        record = json.loads((config.project_root() / rel).with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    changes = record.get("changes") if isinstance(record, dict) else None
    if not isinstance(changes, dict):
        return None
    out = {}
    for unit, c in changes.items():
        if isinstance(unit, str) and isinstance(c, dict):
            out[unit] = {
                k: int(c[k])
                for k in ("added", "replaced", "kept", "dropped")
                if isinstance(c.get(k), int) and not isinstance(c.get(k), bool)
            }
    return out or None


def _by_table(hashes: dict[str, str], vintages: dict[str, str]) -> dict[str, tuple[str, str, str]]:
    """``{table: (path, sha256, vintage)}`` of the files a run read; a table read from an ingested
    vintage is that vintage's file (its raw file is still copied but not the one in use)."""
    out: dict[str, tuple[str, str, str]] = {}
    for rel in sorted(hashes):
        if rel.startswith("notebooks/"):
            continue
        table, vintage = table_and_vintage(rel, vintages)
        if table in out and out[table][2] != "raw" and vintage == "raw":
            continue  # the vintage in use wins over the raw file of the same table
        out[table] = (rel, hashes[rel], vintage)
    return out


def changed_inputs(now: dict[str, Any], old: dict[str, Any], old_dir: Path | None = None) -> list[dict]:
    """Tables whose file was added, removed or changed between two runs (module docstring), by name."""
    new_hashes = {k: v for k, v in _str_map(now.get("inputs")).items() if isinstance(v, str)}
    new_rows = _str_map(now.get("input_rows"))
    old_hashes, old_rows = _previous_inputs(old, old_dir)
    new_v = {k: str(v) for k, v in _str_map(now.get("vintages")).items()}
    old_v = {k: str(v) for k, v in _str_map(old.get("vintages")).items()}
    after, before = _by_table(new_hashes, new_v), _by_table(old_hashes, old_v)
    out = []
    for table in sorted(set(after) | set(before)):
        a, b = after.get(table), before.get(table)
        if a is not None and b is not None and a[1] == b[1]:
            continue
        entry = {
            "table": table,
            "path": (a or b)[0],
            "path_before": b and b[0],
            "change": "added" if b is None else "removed" if a is None else "changed",
            "vintage_before": b and b[2],
            "vintage_after": a and a[2],
            "rows_before": b and old_rows.get(b[0]),
            "rows_after": a and new_rows.get(a[0]),
        }
        record = _merge_record(a[0]) if a is not None else None
        if record:
            entry["rows_by_unit"] = record
        out.append(entry)
    return out


def _values(key: Any) -> dict[tuple[str, str], tuple[float, str, str]]:
    """``{(unit_id, indicator): (median, unit name, kind)}`` of a manifest's ``key_results``."""
    kinds = {name: kind for name, _, _, kind, _ in KEY_POINTS}
    out = {}
    rows = key.get("rows") if isinstance(key, dict) else None
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not isinstance(row.get("unit_id"), str):
            continue
        points = {p.get("indicator"): p.get("p50") for p in row.get("points") or [] if isinstance(p, dict)}
        for name, kind in kinds.items():
            value = points.get(name, row.get(name))
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                out[(row["unit_id"], name)] = (float(value), str(row.get("unit_name") or row["unit_id"]), kind)
    return out


def changed_results(now: dict[str, Any], old: dict[str, Any]) -> tuple[bool, str, list[dict]]:
    """``(comparable, why not, rows)``: each unit's key results before → after, largest moves first."""
    new_key, old_key = now.get("key_results"), old.get("key_results")
    if not isinstance(new_key, dict) or not isinstance(old_key, dict):
        return False, "no key results in one of the two runs", []
    for field in ("base", "year"):
        if new_key.get(field) != old_key.get(field):
            return False, f"{field} {old_key.get(field)!s:.20} → {new_key.get(field)!s:.20}", []
    before, after = _values(old_key), _values(new_key)
    labels = {name: (zh, en) for name, zh, en, _, _ in KEY_POINTS}
    rows = []
    for unit, name in sorted(set(before) | set(after)):
        b, a = before.get((unit, name)), after.get((unit, name))
        if b is not None and a is not None and b[0] == a[0]:
            continue
        ref = a or b
        change = None if a is None or b is None else a[0] - b[0]
        relative = None if change is None or b[0] == 0 else change / abs(b[0])
        rows.append(
            {
                "unit_id": unit,
                "unit_name": ref[1],
                "indicator": name,
                "label_zh": labels[name][0],
                "label_en": labels[name][1],
                "kind": ref[2],
                "before": None if b is None else b[0],
                "after": None if a is None else a[0],
                "change": change,
                "relative": relative,
            }
        )
    rows.sort(
        key=lambda r: (-(math.inf if r["relative"] is None else abs(r["relative"])), r["unit_id"], r["indicator"])
    )
    return True, "", rows


def interventions(notes: Any) -> list[dict]:
    """The run's model interventions as reader notes: ``id``, base, Chinese text, English gloss and
    the amount the note gives (``amount``: e.g. person-moves cut over all draws and years, as
    ``"1,033"``). ``notes`` are note records (:class:`analysis.notes.Note`)."""
    out = []
    for note in notes if isinstance(notes, list) else []:
        if not isinstance(note, Note) or note.id not in INTERVENTIONS:
            continue
        nid, _, zh, en = reader_text(note)
        amount = note.values.get(INTERVENTIONS[nid])
        out.append(
            {"id": nid, "base": note.base, "zh": zh, "en": en, "amount": None if amount is None else f"{amount:,.0f}"}
        )
    return out


def what_changed(now: dict[str, Any], old: dict[str, Any] | None, old_dir: Path | None = None) -> dict[str, Any]:
    """``manifest["changes"]`` of a run against the previous complete run (None: there is none)."""
    out: dict[str, Any] = {
        "previous": None,
        "inputs": [],
        "comparable": False,
        "why_not": "",
        "results": [],
        "interventions": interventions(manifest_notes(now)),
    }
    if not isinstance(old, dict):
        out["why_not"] = "no previous complete run"
        return out
    out["previous"] = str(old.get("run_id") or (old_dir.name if old_dir else ""))[:80]
    out["previous_finished"] = str(old.get("finished") or "")[:40]
    out["inputs"] = changed_inputs(now, old, old_dir)
    out["comparable"], out["why_not"], out["results"] = changed_results(now, old)
    return out


def record_changes(manifest: dict[str, Any], snapshot_root: Path) -> None:
    """Add ``input_rows`` and ``changes`` to a run's manifest (before it is published: the previous
    complete run is the newest kept one, never the run itself, which is still in staging)."""
    manifest["input_rows"] = input_rows(snapshot_root, _str_map(manifest.get("inputs")))
    previous = publish.last_complete_run()
    old = read_manifest(previous) if previous is not None else None
    manifest["changes"] = what_changed(manifest, old, previous)
