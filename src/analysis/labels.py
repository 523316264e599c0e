"""Short labels shared by the reports and the runs index, without heavy imports (no pandas):
the runs index is written by every run, an unchanged ``--incremental`` rerun included."""

from __future__ import annotations


def scenario_label(name: str, overrides: dict | None) -> str:
    """情景 name, or '情景 name（已修改 overridden: k=v, …）' for an overridden run."""
    if not overrides:
        return f"情景 {name}"
    changes = ", ".join(f"{k}={v}" for k, v in overrides.items())
    return f"情景 {name}（已修改 overridden: {changes}）"
