"""The verdict of plan § 二十二 per township: on track, warning letter (预警通知函) or interview (约谈).

The rules live in ``zzeval/reference/verdict_rules.yaml`` (documented there); this module
only reads them, checks them, and applies them to a table of indicators. A bureau that
reads § 二十二 differently changes the YAML, not code.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from zzeval.errors import ZzevalError

_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
DEFAULT_RULES = "verdict_rules.yaml"


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    indicator: str
    op: str
    threshold: float | str
    default: float | None
    zh: str
    en: str

    def threshold_for(self, targets: dict[str, float]) -> float | None:
        """The numeric threshold for one township (its target, or the default)."""
        if isinstance(self.threshold, str):
            task = self.threshold.removeprefix("target:")
            value = targets.get(task, self.default)
            return None if value is None else float(value)
        return float(self.threshold)


@dataclass
class RuleSet:
    levels: dict[str, dict]
    rules: list[Rule]
    units: dict[str, object]
    source: str

    def unit(self, indicator: str, lang: str, value: float | None = None) -> str:
        """The indicator's unit in ``lang``; the ``<lang>_one`` form when ``value`` is 1."""
        unit = self.units.get(indicator, "")
        if not isinstance(unit, dict):
            return str(unit)
        if value == 1 and f"{lang}_one" in unit:
            return unit[f"{lang}_one"]
        return unit.get(lang, "")

    def label(self, level: str, lang: str) -> str:
        return self.levels[level][lang]


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read and check a verdict-rule file (the shipped one when ``path`` is None).

    Raises
    ------
    ZzevalError
        Naming the file, the rule and the key that is wrong.
    """
    if path is None:
        text = resources.files("zzeval.reference").joinpath(DEFAULT_RULES).read_text(encoding="utf-8")
        source = f"zzeval/reference/{DEFAULT_RULES}"
    else:
        text = Path(path).read_text(encoding="utf-8")
        source = str(path)
    doc = yaml.safe_load(text) or {}
    levels = doc.get("levels") or {}
    for key in ("on_track", "warning", "interview"):
        if key not in levels:
            raise ZzevalError(f"{source}: 'levels' must define on_track, warning and interview (missing {key})")
    rules = []
    for n, raw in enumerate(doc.get("rules") or [], start=1):
        where = f"{source}: rule {n} ({raw.get('id', '?')})"
        missing = [k for k in ("id", "level", "indicator", "op", "threshold", "zh", "en") if k not in raw]
        if missing:
            raise ZzevalError(f"{where}: missing key(s) {', '.join(missing)}")
        if raw["level"] not in ("warning", "interview"):
            raise ZzevalError(f"{where}: level must be 'warning' or 'interview', got {raw['level']!r}")
        if raw["op"] not in _OPS:
            raise ZzevalError(f"{where}: op must be one of {' '.join(_OPS)}, got {raw['op']!r}")
        threshold = raw["threshold"]
        if isinstance(threshold, str) and not threshold.startswith("target:"):
            raise ZzevalError(f"{where}: threshold must be a number or 'target:<task>', got {threshold!r}")
        rules.append(Rule(raw["id"], raw["level"], raw["indicator"], raw["op"], threshold,
                          raw.get("default"), raw["zh"], raw["en"]))
    return RuleSet(levels=levels, rules=rules, units=doc.get("units") or {}, source=source)


def format_value(value: float, unit: str, signed: bool = False) -> str:
    """A number with its unit as reports show it (``+3.2 %``, ``−4.0 %``, ``12 辆``), the unit
    joined by a no-break space."""
    if unit == "%":
        text = f"{value:+.1f}\u00a0%" if signed else f"{value:.1f}\u00a0%"
    else:
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
        text = f"{text}\u00a0{unit}" if unit else text
    return text.replace("-", "\u2212")  # the typographic minus sign, as in the figures


def apply_rules(indicators: pd.DataFrame, targets: pd.DataFrame, rules: RuleSet,
                lang: str = "zh") -> pd.DataFrame:
    """Apply the rules to every township.

    Parameters
    ----------
    indicators : DataFrame
        One row per township, column ``township`` (slug) and one column per indicator.
    targets : DataFrame
        The season's ``targets`` table (township, task, target).
    rules : RuleSet
    lang : {"zh", "en"}
        Language of the reasons.

    Returns
    -------
    DataFrame
        One row per township: ``township``, ``verdict`` (on_track / warning / interview),
        ``verdict_label``, ``reasons`` (list of str, most severe first), ``rules_fired``
        (list of rule ids).
    """
    by_township = {t: dict(zip(g["task"], g["target"], strict=True)) for t, g in targets.groupby("township")}
    rank = {name: spec["rank"] for name, spec in rules.levels.items()}
    rows = []
    for row in indicators.to_dict("records"):
        slug = row["township"]
        fired: list[tuple[int, Rule, str]] = []
        for rule in rules.rules:
            value = row.get(rule.indicator)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            threshold = rule.threshold_for(by_township.get(slug, {}))
            if threshold is None or not _OPS[rule.op](float(value), threshold):
                continue
            unit = rules.unit(rule.indicator, lang, float(value))
            signed = rule.indicator.endswith("change_obs_pct") or rule.indicator.endswith("change_adj_pct")
            text = getattr(rule, lang).format(value=format_value(float(value), unit, signed),
                                              threshold=format_value(threshold, unit, signed))
            fired.append((rank[rule.level], rule, text))
        fired.sort(key=lambda item: -item[0])
        # one reason per indicator: the most severe rule that fired on it (e.g. heating < 85 %
        # already says more than heating < 98 %)
        seen: set[str] = set()
        fired = [f for f in fired if not (f[1].indicator in seen or seen.add(f[1].indicator))]
        verdict = max((f[1].level for f in fired), key=lambda lv: rank[lv], default="on_track")
        rows.append({
            "township": slug,
            "verdict": verdict,
            "verdict_label": rules.label(verdict, lang),
            "reasons": [f[2] for f in fired],
            "rules_fired": [f[1].id for f in fired],
        })
    return pd.DataFrame(rows)
