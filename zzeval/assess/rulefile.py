"""A verdict-rule file (a season's own ``verdict_rules.yaml``, or ``--rules``) checked before it is
used, with every problem named: the file, the rule (number, id and line) and the key.

``zzeval validate`` and ``zzeval build`` (before it writes anything) call :func:`check_rules_file`,
so that a rule that could never fire — an unknown indicator, a threshold of ``.nan`` or ``.inf``
(no comparison with them ever holds, or every one does), an unknown task, two rules with one id,
or no rules at all — is refused instead of passing every township silently.
"""

from __future__ import annotations

import difflib
import functools
import math
import string
from pathlib import Path

import yaml

from zzeval.assess.verdict import INDICATORS, RuleSet, load_rules
from zzeval.errors import ZzevalError, yaml_problem
from zzeval.resources import plan_tasks, reference_yaml
from zzeval.season.parsing import load_yaml_strict, show

#: A season folder's own verdict rules (they replace the shipped ones for that season).
SEASON_RULES_FILE = "verdict_rules.yaml"


def check_rules_file(path: str | Path, complete: bool = False) -> RuleSet:
    """Read verdict rules from ``path`` with every problem named (see the module docstring). With
    ``complete`` (a season folder's own file, which replaces the shipped rules), every shipped rule must be
    in it or named under ``dropped:`` (:func:`check_complete`).

    Raises
    ------
    ZzevalError
    """
    path = Path(path)
    if not path.exists():
        raise ZzevalError(f"{path}: verdict-rule file does not exist")
    if path.is_dir():
        raise ZzevalError(f"{path}: is a folder, not a verdict-rule file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ZzevalError(f"{path}: not UTF-8 (broke at byte {exc.start}); save it again as UTF-8") from exc
    try:
        doc = load_yaml_strict(text)
    except yaml.YAMLError as exc:
        raise ZzevalError(f"{path}: not valid YAML: {yaml_problem(exc)}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("levels"), dict) or not isinstance(doc.get("rules"), list):
        raise ZzevalError(f"{path}: must be a mapping with 'levels' (a mapping) and 'rules' (a list); copy "
                          "zzeval/reference/verdict_rules.yaml and edit it")
    from zzeval.i18n import labels

    for name, level in doc["levels"].items():
        if not isinstance(level, dict) or not isinstance(level.get("rank"), int):
            raise ZzevalError(f"{path}: level {show(name)} needs rank (a whole number)")
        if f"verdict.{name}" not in labels() and not {"zh", "en"} <= set(level):
            raise ZzevalError(f"{path}: level {show(name)} has no words: give zh and en "
                              "(the known levels on_track, warning and interview take theirs from the catalogue)")
    _check_ranks(path, doc["levels"])
    if not doc["rules"]:
        raise ZzevalError(f"{path}: 'rules' is empty: no rule could ever fire and every township would be on "
                          "track; copy the rules of zzeval/reference/verdict_rules.yaml and edit them")
    lines = _rule_lines(text)
    seen: dict[str, int] = {}
    for n, raw in enumerate(doc["rules"], start=1):
        where = (f"{path}, line {lines[n - 1]}" if n <= len(lines) else str(path)) + f": rule {n}"
        if not isinstance(raw, dict):
            raise ZzevalError(f"{where} must be a mapping (id, level, indicator, op, threshold, zh, en), "
                              f"got '{show(raw)}'")
        where = f"{where} ({show(raw.get('id', '?'))})"
        _check_keys(where, raw)
        _check_rule(where, raw, doc["rules"])
        _check_names(where, raw)
        rule_id = str(raw.get("id"))
        if rule_id in seen:
            raise ZzevalError(f"{where}: the id '{show(rule_id)}' is also the id of rule {seen[rule_id]}; "
                              "give each rule its own id")
        seen[rule_id] = n
    check_dropped(path, doc, seen)
    if complete:
        check_complete(path, seen, doc.get("dropped") or [])
    return load_rules(path)


def check_dropped(path: Path, doc: dict, ids: dict[str, int]) -> None:
    """``dropped:`` (optional) lists shipped rules the season leaves out on purpose: a list of their ids, each
    one a shipped rule's id and not also a rule of the file."""
    if "dropped" not in doc:
        return
    dropped = doc["dropped"]
    if not isinstance(dropped, list) or not all(isinstance(d, str) for d in dropped):
        raise ZzevalError(f"{path}: 'dropped' must be a list of the ids of shipped rules left out on purpose, "
                          f"like dropped: [baobiao, straw_fires]; got '{show(dropped)}'")
    shipped = [str(rule.get("id")) for rule in _shipped_rules() if isinstance(rule, dict)]
    for rule_id in dropped:
        if rule_id not in shipped:
            raise _unknown(f"{path}: dropped", "rule id", rule_id, shipped,
                           "ids of the shipped rules (zzeval/reference/verdict_rules.yaml)")
        if rule_id in ids:
            raise ZzevalError(f"{path}: '{show(rule_id)}' is under 'dropped' and is also rule {ids[rule_id]} of "
                              "the file: remove it from one of them")


def check_complete(path: Path, ids: dict[str, int], dropped: list[str]) -> None:
    """A season's own rule file replaces the shipped rules: a file holding only the rule the clerk meant to
    change (hostile review s14-hostA, N46: only im_pass_rate, with a slack) passed silently, and every other
    task's row then said 无考核规则 and never counted — every township's verdict changed (预警 → 进展正常).
    Each shipped rule must therefore be in the file (by its id) or be named under ``dropped:``; refused
    otherwise, naming the rules missing and their tasks."""
    missing = [rule for rule in _shipped_rules() if isinstance(rule, dict)
               and str(rule.get("id")) not in ids and str(rule.get("id")) not in dropped]
    if not missing:
        return
    said = ", ".join(f"{rule.get('id')} (task {rule.get('task', '?')})" for rule in missing)
    raise ZzevalError(
        f"{path}: the season's verdict rules replace the shipped ones (zzeval/reference/verdict_rules.yaml), and "
        f"{len(missing)} shipped rule(s) are not in this file: {said}. Without them those tasks' rows would say "
        "无考核规则 and never count in the verdict, so verdicts would change silently. Copy the whole shipped file "
        "into the season folder as verdict_rules.yaml and change only the rule you mean to change; to leave a "
        f"shipped rule out on purpose, name it under 'dropped:' (dropped: [{missing[0].get('id')}])")


def _check_ranks(path: Path, levels: dict) -> None:
    """Each level its own rank, in the order on_track < warning < interview: the verdict is the level of
    the highest rank among the rules that fire, so a tie or a swap would pick the wrong letter."""
    ranks = {name: level["rank"] for name, level in levels.items()}
    if len(set(ranks.values())) < len(ranks):
        raise ZzevalError(f"{path}: two levels share a rank ({', '.join(f'{k}: {v}' for k, v in ranks.items())}); "
                          "give each level its own rank")
    order = [name for name in ("on_track", "warning", "interview") if name in ranks]
    if [ranks[name] for name in order] != sorted(ranks[name] for name in order):
        raise ZzevalError(f"{path}: the ranks must rise from on_track to warning to interview, got "
                          f"{', '.join(f'{name}: {ranks[name]}' for name in order)}")


def _rule_lines(text: str) -> list[int]:
    """The line (1-based) where each rule of the file starts."""
    node = yaml.compose(text)
    for key, value in node.value:
        if key.value == "rules" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _check_rule(where: str, raw: dict, others: list) -> None:
    threshold, default = raw.get("threshold"), raw.get("default")
    for key in ("threshold", "default", "slack"):
        if _quoted_number(raw.get(key)):
            raise ZzevalError(f"{where}: {key} is \"{show(raw[key])}\", a number in quotes: YAML reads it as text, "
                              f"not a number; remove the quotes ({key}: {show(raw[key]).strip()})")
    if "threshold" in raw and (isinstance(threshold, bool) or not isinstance(threshold, (int, float, str))):
        raise ZzevalError(f"{where}: threshold must be a number or 'target:<task>', got '{show(threshold)}'")
    for key, value in (("threshold", threshold), ("default", default), ("slack", raw.get("slack"))):
        if isinstance(value, float) and not math.isfinite(value):
            raise ZzevalError(f"{where}: {key} is {value}, not a finite number: a comparison with it never "
                              "(or always) holds; write a number")
    if default is not None and (isinstance(default, bool) or not isinstance(default, (int, float))):
        raise ZzevalError(f"{where}: default must be a number, got '{show(default)}'")
    slack = raw.get("slack", 0)
    if isinstance(slack, bool) or not isinstance(slack, (int, float)) or slack < 0:
        raise ZzevalError(f"{where}: slack must be a number of 0 or more (a tolerance in the indicator's unit), got "
                          f"'{show(slack)}'")
    _check_fraction(where, raw, others)
    for lang in ("zh", "en"):
        _check_text(where, lang, str(raw.get(lang, "")))


def _check_fraction(where: str, raw: dict, others: list) -> None:
    """A threshold, ``default`` or ``slack`` on an indicator in % (``_pct``) written as a fraction — 0.85 for
    85 % (a cell formatted as a percentage holds the fraction), −0.04 for −4 %, a slack of 0.02 for 2 points —
    is refused (hostile review s11-A, wrong number 9: heating_far_behind at 0.85 could never fire; re-review
    s11-A W7: slack 0.02). Only where it is unambiguous (re-review s11-A F1: genuine thresholds of 0.5 % and
    0.5 percentage points were refused with the advice to write 50, a wrong rule if followed): the value is
    at most 1 either way (not 0), and 100 times the value is within a factor of 2, with its sign, of one of
    the same key's values above 1 either way for the same indicator (thresholds and defaults together;
    slacks) in this file or in the shipped rules — so the value advised is one the rules already use. An indicator in percentage points (``_pp``: a change, which a cell formatted as % never
    gives) is not judged; a small genuine value (a violation share of 0.5 % where the shipped rule says 2 %)
    is accepted."""
    indicator = str(raw.get("indicator", ""))
    if not indicator.endswith("_pct"):
        return
    for key in ("threshold", "default", "slack"):
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value == 0 or abs(value) > 1:
            continue
        keys = ("slack",) if key == "slack" else ("threshold", "default")
        seen = sorted({float(rule[k]) for rule in (*others, *_shipped_rules()) if rule is not raw
                       and isinstance(rule, dict) and str(rule.get("indicator")) == indicator for k in keys
                       if isinstance(rule.get(k), (int, float)) and not isinstance(rule.get(k), bool)
                       and abs(rule.get(k)) > 1})
        meant = 100 * value
        if not any(v * meant > 0 and 0.5 <= meant / v <= 2 for v in seen):
            continue
        kind = "slacks" if key == "slack" else "thresholds"
        unit = "percentage points" if key == "slack" else "%"
        raise ZzevalError(f"{where}: {key} {value:g} {unit} for {indicator} looks like a fraction (a cell formatted "
                          f"as a percentage holds 0.9 for 90 %): the {kind} of {indicator} in this file and the "
                          f"shipped rules (those beyond ±1) are {', '.join(f'{v:g}' for v in seen)}, and {meant:g} is near them; "
                          f"write the {key} in {unit}: {meant:g} ({key}: {meant:g})")


@functools.cache
def _shipped_rules() -> tuple:
    """The raw rules of the shipped ``zzeval/reference/verdict_rules.yaml``."""
    return tuple((reference_yaml("verdict_rules.yaml") or {}).get("rules", []))


def _quoted_number(value: object) -> bool:
    """A number written in quotes (``threshold: "85"``): text to YAML."""
    if not isinstance(value, str):
        return False
    try:
        float(value.strip())
    except ValueError:
        return False
    return True


def _check_text(where: str, lang: str, text: str) -> None:
    """A rule's own reason may hold {value} and {threshold} as they are: they arrive formatted, so a format
    code or an attribute (``{value:>999999999}``, ``{value.__class__}``) could only blow the text up or show
    Python's insides on the report."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None]
    except ValueError as exc:
        raise ZzevalError(f"{where}: the {lang} text may use only {{value}} and {{threshold}} ({exc})") from exc
    for name, spec, conversion in fields:
        if name not in ("value", "threshold") or spec or conversion:
            written = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise ZzevalError(f"{where}: the {lang} text may use only {{value}} and {{threshold}}, as they are (the "
                              f"numbers come formatted), got '{{{show(written)}}}'")


#: The keys a rule may have (zzeval/reference/verdict_rules.yaml, "Each rule"); ``statistic`` may only be ``air``.
RULE_KEYS = frozenset({"id", "level", "indicator", "op", "threshold", "default", "slack", "task", "statistic",
                       "evidence", "interval", "zh", "en"})


def _check_keys(where: str, raw: dict) -> None:
    """A misspelt key (``slak``, ``statstic``) would be ignored and the rule judged without it; refused."""
    for key in raw:
        if str(key) not in RULE_KEYS:
            close = difflib.get_close_matches(str(key), sorted(RULE_KEYS), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ZzevalError(f"{where}: unknown key '{show(key)}': it would be ignored; {hint}"
                              f"the keys of a rule are: {', '.join(sorted(RULE_KEYS))}")
    if "statistic" in raw and raw["statistic"] != "air":
        raise ZzevalError(f"{where}: statistic must be 'air' (the rule is undecided when the air-quality data "
                          f"are incomplete) or left out, got '{show(raw['statistic'])}'")


def _unknown(where: str, key: str, value: str, known, what: str) -> ZzevalError:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return ZzevalError(f"{where}: unknown {key} '{show(value)}': the rule could never fire; {hint}"
                       f"the {what} are: {', '.join(sorted(known))}")


def _check_names(where: str, raw: dict) -> None:
    """The indicator the rule reads and the tasks it names exist."""
    tasks = plan_tasks()["tasks"]
    indicator = raw.get("indicator")
    if indicator is not None and str(indicator) not in INDICATORS:
        raise _unknown(where, "indicator", str(indicator), INDICATORS,
                       "indicators (columns of Evaluation.indicators)")
    if "task" in raw and str(raw["task"]) not in tasks:
        raise _unknown(where, "task", str(raw["task"]), tasks, "tasks (zzeval/reference/plan_tasks.yaml)")
    if indicator is not None and "task" in raw:
        _check_task_indicator(where, str(raw["task"]), str(indicator), tasks)
    threshold = raw.get("threshold")
    if isinstance(threshold, str) and threshold.startswith("target:"):
        task = threshold.removeprefix("target:")
        if task not in tasks:
            raise _unknown(where, "target task", task, tasks, "tasks of targets.csv (zzeval/reference/plan_tasks.yaml)")


def task_indicators(spec: dict) -> list[str]:
    """The indicators a rule on a task may read: the task's ``value`` (the figure its row shows) and its
    ``rule_indicators`` (``plan_tasks.yaml``: e.g. the clean-coal row shows households, its rule the
    completion rate)."""
    return [str(spec["value"]), *(str(i) for i in spec.get("rule_indicators", []))]


def _check_task_indicator(where: str, task: str, indicator: str, tasks: dict) -> None:
    """A rule judges the task-table row its ``task`` names: a rule on another task's indicator would mark
    that row 未完成 with a reason about something else (hostile review 9A, F7: heating_far_behind with task
    straw_fire_points)."""
    allowed = task_indicators(tasks[task])
    if indicator in allowed:
        return
    owners = [name for name, spec in tasks.items() if indicator in task_indicators(spec)]
    hint = (f"did you mean task: {owners[0]}? " if len(owners) == 1
            else f"the tasks of that indicator are {', '.join(owners)}; " if owners else "")
    raise ZzevalError(f"{where}: task '{show(task)}' does not match indicator '{show(indicator)}': the rule would mark "
                      f"the row of {task} (whose figure is {' or '.join(allowed)}, zzeval/reference/plan_tasks.yaml) "
                      f"with a reason about {indicator}; {hint}write the task whose figure the rule judges")


def rules_not_reading_targets(ruleset: RuleSet) -> dict[str, list]:
    """The tasks whose row's figure the rules judge by a fixed threshold only: a rule on the task reads
    the task's ``value`` (the figure the row compares with the target) and no rule reads
    ``target:<task>``. Their rules (a list) by task."""
    tasks = plan_tasks()["tasks"]
    reading = {r.threshold.removeprefix("target:") for r in ruleset.rules if isinstance(r.threshold, str)}
    fixed: dict[str, list] = {}
    for rule in ruleset.rules:
        spec = tasks.get(rule.task)
        if spec is not None and rule.task not in reading and rule.indicator == spec["value"]:
            fixed.setdefault(rule.task, []).append(rule)
    return fixed


def check_targets_read(targets, ruleset: RuleSet, fname: str) -> None:
    """A ``targets`` row for a task whose verdict rules have fixed thresholds and do not read targets
    (the shipped heating_total 85/95 %, loose_coal_violation_pct 2 %, baobiao_days 2, pm25_change_adj_pct 0):
    the task table would show the row's own target met while the rules still fire (hostile review 9A, F4:
    "≥ 70.0 % | 78.0 % | 未完成"). Refused naming the rows, with what to change instead.

    Raises
    ------
    ZzevalError
    """
    from zzeval.i18n import t

    fixed = rules_not_reading_targets(ruleset)
    source = ruleset.source
    where = ("copy zzeval/reference/verdict_rules.yaml into the season folder as verdict_rules.yaml and change "
             "these rules' threshold there" if source == f"zzeval/reference/{SEASON_RULES_FILE}"
             else f"change these rules' threshold in {source}")
    lines = []
    for label, task, target in zip(targets.index, targets["task"].astype(str), targets["target"], strict=True):
        rules = fixed.get(task)
        if not rules:
            continue
        unit = ruleset.unit(rules[0].indicator)
        unit_text = f" {unit}" if unit == "%" else f" {t(f'unit.{unit}', 'en')}" if unit else ""
        said = ", ".join(f"{r.id} {r.op} {r.threshold:g}" for r in rules)
        lines.append(f"{fname}, row {int(label) + 2}, column 'task': a target of {target:g}{unit_text} for {task}, "
                     f"but the verdict rules judge {task} by fixed thresholds ({said}; {source}) and do not read "
                     f"{fname}: the task table would judge the row by this target and the verdict by the rules' thresholds "
                     f"(a row reading 'target met' and 未完成). Remove the row "
                     f"(the rules' thresholds apply); to judge by another threshold, {where} "
                     f"(a number, or 'target:{task}' with a 'default' to read {fname})")
    if lines:
        raise ZzevalError("\n".join(lines))


def check_season_rules(data_dir: str | Path, season=None) -> RuleSet | None:
    """The season folder's own verdict rules checked (:func:`check_rules_file`), None without them;
    with ``season`` (a SeasonData), its targets as well against the rules in effect
    (:func:`check_targets_read`)."""
    path = Path(data_dir) / SEASON_RULES_FILE
    ruleset = check_rules_file(path, complete=True) if path.exists() else None
    if season is not None:
        check_targets_read(season.targets, ruleset or load_rules(None), targets_file(Path(data_dir)))
    return ruleset


def targets_file(data_dir: Path) -> str:
    """The name of the season's targets file (``targets.csv``, ``targets.xlsx`` …) for messages."""
    from zzeval.season.loading import table_files

    files = table_files(Path(data_dir), "targets") if Path(data_dir).is_dir() else []
    return files[0].name if files else "targets.csv"
