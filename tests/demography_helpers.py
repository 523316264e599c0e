"""Shared helpers for the demography tests (not a test module)."""

from __future__ import annotations

import yaml

from analysis import config
from analysis.demography.parameters import PARAMETER_RULES
from analysis.scenarios import Scenario


def demography_scenario(**overrides) -> Scenario:
    """The baseline ``demography`` section as a Scenario (other sections left out, so these
    tests do not depend on the services modules), with ``overrides`` by short name."""
    tree = yaml.safe_load((config.scenarios_dir() / "baseline.yaml").read_text(encoding="utf-8"))
    values = {f"demography.{k}": (v["value"] if isinstance(v, dict) else v) for k, v in tree["demography"].items()}
    values.update({f"demography.{k}": v for k, v in overrides.items()})
    checked = {k: PARAMETER_RULES[k].check(k, v) for k, v in values.items()}
    return Scenario("baseline", "demography section of baseline.yaml", checked)
