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

import difflib
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from . import config, hooks, yamlio
from .errors import AnalysisError, ParameterError, short

# Modules that declare PARAMETER_RULES for their scenario section.
RULE_MODULES = (
    "analysis.demography.parameters",
    "analysis.services.beds",
    "analysis.services.workforce",
    "analysis.services.assistance",
)


MAPPING_YEARS = (1990, 2100)  # keys of a by-year mapping (the plans' years lie well inside)


@dataclass(frozen=True)
class Rule:
    """Allowed values of one parameter.

    ``low``/``high`` bound a number (or every element of a list); ``kind`` is ``float``,
    ``int``, ``bool``, ``str``, ``list`` (of numbers) or ``mapping`` (of numbers).

    ``label_zh`` is the parameter's Chinese name for readers and ``choices_zh`` the Chinese name
    of each of ``choices`` (in the same order): what a page, a chart's source line or a table
    prints instead of the dotted key or the code value (:func:`parameter_label`,
    :func:`choice_label`; issue 28 item 4).
    """

    low: float | None = None
    high: float | None = None
    kind: str = "float"
    description: str = ""
    choices: tuple = ()
    keys: tuple = ()  # the keys a mapping may have; empty: years (MAPPING_YEARS)
    label_zh: str = ""
    choices_zh: tuple = ()

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
        what = {
            "float": "a number",
            "int": "a whole number",
            "list": "a list of numbers",
            "mapping": "a mapping of numbers",
            "bool": "true or false",
            "str": "a text",
        }[self.kind]
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
            for k in value:
                self._key(name, k)
            return {k: self._number(f"{name}.{k}", v) for k, v in value.items()}
        number = self._number(name, value)
        if self.kind == "int":
            if float(number) != int(number):
                raise ParameterError(name, value, self.allowed())
            return int(number)
        return number

    def _key(self, name: str, key: Any) -> None:
        """A mapping key is one of ``keys`` or, when none are given, a year (issue 27: a key is
        user text that reaches every page; only known keys get there)."""
        if self.keys:
            if key not in self.keys:
                raise ParameterError(f"{name} key", key, f"one of {list(self.keys)}")
            return
        year = (
            key
            if isinstance(key, int) and not isinstance(key, bool)
            else (int(key) if isinstance(key, str) and key.isascii() and key.isdigit() and len(key) == 4 else None)
        )
        if year is None or not MAPPING_YEARS[0] <= year <= MAPPING_YEARS[1]:
            raise ParameterError(f"{name} key", key, f"a year {MAPPING_YEARS[0]}–{MAPPING_YEARS[1]}")

    def _number(self, name: str, value: Any) -> float:
        if isinstance(value, bool):
            raise ParameterError(name, value, self.allowed())
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ParameterError(name, value, self.allowed()) from None
        if (
            number != number
            or (self.low is not None and number < self.low)
            or (self.high is not None and number > self.high)
        ):
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
        return {k[len(head) :]: v for k, v in self.values.items() if k.startswith(head)}

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
        return Scenario(self.name, self.description, validate(values), dict(self.sources), self.path, merged)

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


def parameter_label(key: str) -> str:
    """The Chinese name of scenario parameter ``key`` for readers (its rule's ``label_zh``);
    the dotted key itself only for a parameter that has none."""
    rule = parameter_rules().get(key)
    return rule.label_zh if rule is not None and rule.label_zh else key


def choice_label(key: str, value: Any) -> str:
    """The Chinese name of ``value``, one of the choices of parameter ``key`` (its rule's
    ``choices_zh``); ``value`` as text where none is declared."""
    rule = parameter_rules().get(key)
    if rule is not None and value in rule.choices and len(rule.choices_zh) == len(rule.choices):
        return rule.choices_zh[rule.choices.index(value)]
    return str(value)


#: Parameters renamed when the plan period left the code (issue 23): an old scenario file gets the new name.
RENAMED_PARAMETERS = {
    "beds.planned_new_beds_2021_2025": "beds.planned_new_beds",
    "beds.new_beds_per_year_after_2025": "beds.new_beds_per_year_after",
    "assistance.ratio_change_after_2025": "assistance.ratio_change_after_plan",
}


def validate(values: dict[str, Any]) -> dict[str, Any]:
    """Check every value against its rule; unknown parameters are errors (typos are caught)."""
    rules = parameter_rules()
    checked = {}
    for key, value in values.items():
        if key in RENAMED_PARAMETERS:
            raise ParameterError(
                key,
                value,
                f"the parameter's new name {RENAMED_PARAMETERS[key]!r} (renamed so "
                "that no plan year is welded into a name)",
            )
        if key not in rules:
            close = difflib.get_close_matches(key, list(rules), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(key, value, f"a known parameter{hint}; known: {', '.join(sorted(rules))}")
        checked[key] = rules[key].check(key, value)
    return checked


def _flatten(
    tree: dict, prefix: str = "", rules: dict[str, Rule] | None = None, what: str = "scenario"
) -> tuple[dict[str, Any], dict[str, str]]:
    """Dotted values and sources of a (section) tree.

    A parameter is written plainly (``occupancy_pct: 75``) or as ``{value: 75, source: "…"}``. A
    mapping is a section unless its dotted name is a parameter of kind ``mapping`` (whose value is
    itself a mapping, ``beds_per_1000_elderly: {2020: 38}``).
    """
    rules = parameter_rules() if rules is None else rules
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, node in tree.items():
        name = f"{prefix}{key}"
        if isinstance(node, dict) and "value" in node and set(node) <= {"value", "source", "note"}:
            values[name] = node["value"]
            if node.get("source") is not None:
                sources[name] = check_text(f"{what}: {name}.source", node["source"], MAX_SOURCE)
        elif isinstance(node, dict) and node and not (name in rules and rules[name].kind == "mapping"):
            sub_values, sub_sources = _flatten(node, name + ".", rules, what)
            values.update(sub_values)
            sources.update(sub_sources)
        else:
            values[name] = node
    return values, sources


NAME_PATTERN = re.compile(r"^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9_\-\u4e00-\u9fff]{0,59}$")
MAX_DESCRIPTION, MAX_SOURCE = 500, 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# In a description or source: a scheme that runs or embeds (javascript:, vbscript:, data:), a web
# address (http://, //host) or a Markdown link or image whose target is one (issue 27).
_ACTIVE_URL = re.compile(
    r"(?i)\b(?:javascript|vbscript)\s*:|\b(?:data:\s*[a-z]+/|file:/)|[a-z][a-z0-9+.\-]*://|(?:^|[\s(\[])//\w"
    r"|\]\s*\(\s*[a-z][a-z0-9+.\-]*:"
)


def check_name(what: str, name: Any) -> str:
    """A scenario name: letters, digits, CJK, ``_`` or ``-`` (it names files, sheets and table rows)."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise AnalysisError(
            f"{what}: name {short(name)} must be 1-60 letters, digits, Chinese characters, "
            "'_' or '-' (starting with a letter or digit)"
        )
    return name


def check_text(what: str, text: Any, limit: int) -> str:
    """A description or source: text of at most ``limit`` characters, no markup, no control characters."""
    if not isinstance(text, (str, int, float)) or isinstance(text, bool):
        raise AnalysisError(f"{what}: expected a text, found {short(text)}")
    text = str(text)
    if len(text) > limit:
        raise AnalysisError(f"{what}: {len(text)} characters, more than {limit}")
    if "<" in text or ">" in text or _CONTROL.search(text):
        raise AnalysisError(f"{what}: must not contain '<', '>' or control characters: {short(text)}")
    if _ACTIVE_URL.search(text):
        raise AnalysisError(
            f"{what}: must not contain a web address or a javascript:/data: link (cite the "
            f"document, table and year instead; a page never links or loads from it): {short(text)}"
        )
    if text.startswith(("=", "+", "-", "@")):
        raise AnalysisError(f"{what}: must not start with = + - @ (a spreadsheet would run it): {short(text)}")
    return text


def scenario_path(name: str | Path) -> Path:
    """``scenarios/<name>.yaml``, or ``name`` itself when it is a path to a YAML file (made absolute)."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml"):
        if candidate.is_file():
            return candidate.resolve()
        in_dir = config.scenarios_dir() / candidate.name
        if candidate.parent.name == "scenarios" and in_dir.is_file():
            return in_dir.resolve()
        raise AnalysisError(f"scenario file {str(name)!r}: no such file")
    if not NAME_PATTERN.fullmatch(str(name)):
        raise AnalysisError(f"scenario {short(str(name))}: not a scenario name or a .yaml file")
    path = config.scenarios_dir() / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in config.scenarios_dir().glob("*.yaml") if p.is_file())
        raise AnalysisError(f"unknown scenario {str(name)!r}; known scenarios: {', '.join(known)}")
    return path


def scenario_chain(name: str | Path) -> list[Path]:
    """The files a scenario is built from: itself, then its ``extends`` parent, and so on."""
    return [path for path, _ in _read_chain(name)]


def _read_chain(name: str | Path) -> list[tuple[Path, dict]]:
    chain: list[tuple[Path, dict]] = []
    seen: list[Path] = []
    current: Any = name
    while current is not None:
        path = scenario_path(current)
        if path.resolve() in seen:
            loop = " -> ".join(p.name for p in seen + [path])
            raise AnalysisError(f"{path}: 'extends' makes a cycle ({loop})")
        seen.append(path.resolve())
        tree = hooks.remembered("scenario file", path, lambda path=path: yamlio.read_mapping(path, str(path)))
        chain.append((path, tree))
        current = tree.get("extends")
        if current is not None and not isinstance(current, str):
            raise AnalysisError(f"{path}: 'extends' must name a scenario, found {short(current)}")
        if len(chain) > 20:
            raise AnalysisError(f"{path}: 'extends' chain longer than 20 scenarios")
    return chain


def load_scenario(name: str | Path = "baseline", overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, flatten and validate a scenario, then apply per-run ``overrides`` (dotted keys).

    A scenario may name ``extends: baseline`` to start from another scenario's values (a cycle
    is an error). Name and description are checked (:func:`check_name`, :func:`check_text`).
    """
    chain = _read_chain(name)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    rules = parameter_rules()
    for path, tree in reversed(chain):  # the root first, each child overriding its parent
        tree = dict(tree)
        tree.pop("extends", None)
        tree.pop("name", None)
        tree.pop("description", None)
        sub_values, sub_sources = _flatten(tree, rules=rules, what=str(path))
        values.update(sub_values)
        sources.update(sub_sources)
    path, top = chain[0]
    title = check_name(str(path), top.get("name", path.stem))
    description = check_text(f"{path}: description", top.get("description", ""), MAX_DESCRIPTION)
    try:
        checked = validate(values)
    except ParameterError as exc:
        raise ParameterError(exc.name, exc.value, f"{exc.allowed} (in {path.name})") from None
    scenario = Scenario(title, description, checked, sources, path)
    return scenario.with_overrides(overrides) if overrides else scenario


def parse_overrides(pairs: Iterable[str]) -> dict[str, Any]:
    """``["beds.occupancy=0.85", "demography.tfr_2025=1.2"]`` → dict, values parsed as YAML."""
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise AnalysisError(f"override {pair!r} must look like name=value")
        key, raw = pair.split("=", 1)
        key = key.strip()
        if not key:
            raise AnalysisError(f"override {short(pair)} has no name before '='")
        out[key] = yamlio.loads(raw, f"-p {key}") if raw.strip() else ""
    return out
