"""Named scenarios: ``scenarios/<name>.yaml`` → validated parameters with their sources.

A scenario file has sections (``demography``, ``beds``, ``workforce``, ``assistance``); each
parameter is either a plain value or a mapping ``{value: …, source: "…"}`` that records where
the assumption comes from::

    name: baseline
    description: 基准情景 …
    demography:
      tfr_2025:
        value: 1.10
        source: "UN WPP 2022 medium variant (China), scaled …"

Any value can be overridden per run with a dotted key (``demography.tfr_2025=1.3``). Every
value is checked against the rules its model module declares in ``PARAMETER_RULES``; an
impossible value raises :class:`~analysis.errors.ParameterError` naming the parameter and the
allowed range.
"""

from __future__ import annotations

import copy
import difflib
import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from . import config
from .errors import AnalysisError, ParameterError

# Modules that declare PARAMETER_RULES for their scenario section.
RULE_MODULES = (
    "analysis.demography.parameters",
    "analysis.services.beds",
    "analysis.services.workforce",
    "analysis.services.assistance",
)


@dataclass(frozen=True)
class Rule:
    """Allowed values of one parameter.

    ``low``/``high`` bound a number (or every element of a list); ``kind`` is ``float``,
    ``int``, ``bool``, ``str``, ``list`` (of numbers) or ``mapping`` (of numbers).
    """

    low: float | None = None
    high: float | None = None
    kind: str = "float"
    description: str = ""
    choices: tuple = ()

    def allowed(self) -> str:
        if self.choices:
            return f"one of {list(self.choices)}"
        rng = ""
        if self.low is not None and self.high is not None:
            rng = f" between {self.low} and {self.high}"
        elif self.low is not None:
            rng = f" >= {self.low}"
        elif self.high is not None:
            rng = f" <= {self.high}"
        what = {"float": "a number", "int": "a whole number", "list": "a list of numbers",
                "mapping": "a mapping of numbers", "bool": "true or false", "str": "a text"}[self.kind]
        return what + (" each" if self.kind in ("list", "mapping") and rng else "") + rng

    def check(self, name: str, value: Any) -> Any:
        """Return ``value`` coerced to the rule's kind, or raise ParameterError."""
        if self.choices:
            if value not in self.choices:
                raise ParameterError(name, value, self.allowed())
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ParameterError(name, value, self.allowed())
            return value
        if self.kind == "str":
            if not isinstance(value, str):
                raise ParameterError(name, value, self.allowed())
            return value
        if self.kind == "list":
            if not isinstance(value, (list, tuple)) or not value:
                raise ParameterError(name, value, self.allowed())
            return [self._number(name, v) for v in value]
        if self.kind == "mapping":
            if not isinstance(value, dict) or not value:
                raise ParameterError(name, value, self.allowed())
            return {k: self._number(f"{name}.{k}", v) for k, v in value.items()}
        number = self._number(name, value)
        if self.kind == "int":
            if float(number) != int(number):
                raise ParameterError(name, value, self.allowed())
            return int(number)
        return number

    def _number(self, name: str, value: Any) -> float:
        if isinstance(value, bool):
            raise ParameterError(name, value, self.allowed())
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ParameterError(name, value, self.allowed()) from None
        if number != number or (self.low is not None and number < self.low) or (
                self.high is not None and number > self.high):
            raise ParameterError(name, value, self.allowed())
        return number


@dataclass
class Scenario:
    """A validated scenario: parameter values by dotted name, with the source of each."""

    name: str
    description: str
    values: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise AnalysisError(f"scenario {self.name!r} has no parameter {key!r}") from None

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def section(self, prefix: str) -> dict[str, Any]:
        """The parameters of one section without the prefix: ``section('beds')``."""
        head = prefix + "."
        return {k[len(head):]: v for k, v in self.values.items() if k.startswith(head)}

    def source(self, key: str) -> str:
        """Where the value of ``key`` comes from (or 'override' when set for this run)."""
        if key in self.overrides:
            return "override for this run"
        return self.sources.get(key, "")

    def with_overrides(self, overrides: dict[str, Any]) -> "Scenario":
        """A copy with ``overrides`` applied and validated."""
        values = dict(self.values)
        for key, value in overrides.items():
            values[key] = value
        merged = {**self.overrides, **overrides}
        return Scenario(self.name, self.description, validate(values), dict(self.sources),
                        self.path, merged)

    def to_yaml(self) -> str:
        """The scenario as YAML in the same format it was read from (sources kept)."""
        tree: dict[str, Any] = {"name": self.name, "description": self.description}
        for key, value in self.values.items():
            node = tree
            *parents, leaf = key.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            source = self.source(key)
            node[leaf] = {"value": value, "source": source} if source else value
        return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)


def parameter_rules() -> dict[str, Rule]:
    """Every declared parameter rule, by dotted name."""
    rules: dict[str, Rule] = {}
    for module_name in RULE_MODULES:
        rules.update(importlib.import_module(module_name).PARAMETER_RULES)
    return rules


def validate(values: dict[str, Any]) -> dict[str, Any]:
    """Check every value against its rule; unknown parameters are errors (typos are caught)."""
    rules = parameter_rules()
    checked = {}
    for key, value in values.items():
        if key not in rules:
            close = difflib.get_close_matches(key, list(rules), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(key, value, f"a known parameter{hint}; known: {', '.join(sorted(rules))}")
        checked[key] = rules[key].check(key, value)
    return checked


def _flatten(tree: dict, prefix: str = "") -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, node in tree.items():
        name = f"{prefix}{key}"
        if isinstance(node, dict) and "value" in node and set(node) <= {"value", "source", "note"}:
            values[name] = node["value"]
            if node.get("source"):
                sources[name] = str(node["source"])
        elif isinstance(node, dict) and not _is_mapping_value(node):
            sub_values, sub_sources = _flatten(node, name + ".")
            values.update(sub_values)
            sources.update(sub_sources)
        else:
            values[name] = node
    return values, sources


def _is_mapping_value(node: dict) -> bool:
    return bool(node) and all(not isinstance(v, dict) for v in node.values()) and all(
        isinstance(v, (int, float)) for v in node.values())


def scenario_path(name: str | Path) -> Path:
    """``scenarios/<name>.yaml``, or ``name`` itself when it is a path to a YAML file."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and candidate.exists():
        return candidate
    path = config.scenarios_dir() / f"{name}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in config.scenarios_dir().glob("*.yaml"))
        raise AnalysisError(f"unknown scenario {str(name)!r}; known scenarios: {', '.join(known)}")
    return path


def load_scenario(name: str | Path = "baseline", overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, flatten and validate a scenario, then apply per-run ``overrides`` (dotted keys).

    A scenario may name ``extends: baseline`` to start from another scenario's values.
    """
    path = scenario_path(name)
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise AnalysisError(f"{path.name}: not valid YAML: {exc}") from None
    tree = copy.deepcopy(tree)
    parent = tree.pop("extends", None)
    title = str(tree.pop("name", path.stem))
    description = str(tree.pop("description", ""))
    values, sources = _flatten(tree)
    if parent:
        base = load_scenario(parent)
        values = {**base.values, **values}
        sources = {**base.sources, **sources}
    scenario = Scenario(title, description, validate(values), sources, path)
    return scenario.with_overrides(overrides) if overrides else scenario


def parse_overrides(pairs: Iterable[str]) -> dict[str, Any]:
    """``["beds.occupancy=0.85", "demography.tfr_2025=1.2"]`` → dict, values parsed as YAML."""
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise AnalysisError(f"override {pair!r} must look like name=value")
        key, raw = pair.split("=", 1)
        out[key.strip()] = yaml.safe_load(raw)
    return out
