"""How a unit written in the air-quality ``unit`` column is read (hostile review s11-A, I03).

The accepted spellings are :data:`zzeval.season.schema.UNIT_SPELLINGS`. A unit typed with a Chinese input
method can carry full-width or compatibility forms that look the same on screen: 'μg／m³' (FULLWIDTH
SOLIDUS), 'ｍｇ/ｍ3', 'µg/m³' with the micro sign or the Greek mu. These are read as the spelling they
become under Unicode NFKC (as keys are compared, :mod:`zzeval.season.keys`), with a notice saying which
characters were read so (:func:`read_units`). A unit that is still unknown is refused by the caller, and
:func:`unit_difference` says which characters differ from the expected unit: two units that look alike
on screen (a superscript ² for ³, an invisible space) would otherwise leave the clerk guessing.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache

from zzeval.season.schema import UNIT_SPELLINGS


def _folded(text: str) -> str:
    """NFKC (full-width and superscript forms as plain ones; the micro sign as the Greek mu), without the
    spaces at the ends, lower case."""
    return unicodedata.normalize("NFKC", text).strip().lower()


@cache
def _folded_spellings() -> dict[str, str]:
    """The accepted spellings after :func:`_folded`, to their canonical unit."""
    return {_folded(k): v for k, v in UNIT_SPELLINGS.items()}


def canonical_unit(text) -> tuple[str | None, bool]:
    """The canonical unit of a written ``unit`` cell, and whether it was found only after NFKC (a notice:
    :func:`compatibility_note`); (None, False) for a unit zzeval does not know."""
    raw = "" if text is None else str(text)
    exact = UNIT_SPELLINGS.get(raw.strip(), UNIT_SPELLINGS.get(raw.strip().lower()))
    if exact is not None:
        return exact, False
    folded = _folded_spellings().get(_folded(raw))
    return folded, folded is not None


def _char(c: str) -> str:
    """'／' (U+FF0F FULLWIDTH SOLIDUS): a character named for a message (invisible ones by their name)."""
    name = unicodedata.name(c, "no name")
    shown = f"'{c}' " if c.isprintable() and not c.isspace() else ""
    return f"{shown}(U+{ord(c):04X} {name})"


def compatibility_note(raw: str, unit: str) -> str:
    """Which characters of ``raw`` were read as their plain forms to give ``unit``."""
    usual = set("".join(UNIT_SPELLINGS))  # '³' and 'µ' are in the accepted spellings: not said
    changed = [c for c in dict.fromkeys(raw) if unicodedata.normalize("NFKC", c) != c and c not in usual]
    said = ", ".join(f"{_char(c)} as '{unicodedata.normalize('NFKC', c)}'" for c in changed)
    return (f"'{raw}' was read as {unit}: {said or 'its letters read without regard to case'} (full-width or "
            "compatibility forms, as a Chinese input method types them); write the unit as "
            f"{unit} to silence this notice")


#: ``μg/m³(标况)``, ``mg/m³（实况）``: a unit and, in brackets, the state the platform's values refer to.
_STATE_NOTE = re.compile(r"(.+?)\s*[(（]\s*(标况|标准状态|实况|参比状态|standard|actual)\s*[)）]", re.IGNORECASE)


def unit_difference(raw: str, expected: str) -> str:
    """Where a refused unit ``raw`` differs from ``expected`` (or the closest spelling of it), character by
    character: '' when nothing useful can be said (an empty cell, a wholly different unit). A unit with the state of
    its values in brackets (``μg/m³(标况)``) is told so (hostile review s13-hostB, A29: "it differs from μg/m³ in '(' …,
    '标' …" said nothing of the bracket); the state is not converted, as the project has no rule on it."""
    raw = str(raw).strip()
    spellings = [k for k, v in UNIT_SPELLINGS.items() if v == expected and k]
    if not raw or not spellings:
        return ""
    state = _STATE_NOTE.fullmatch(raw)
    if state and canonical_unit(state.group(1))[0] == expected:
        return (f"; '({state.group(2)})' notes the state (temperature and pressure) the values refer to (标况: standard "
                "conditions; 实况: the conditions of the hour), which the unit column does not hold: zzeval reads the "
                "concentrations as the national network publishes them and converts none between states. If your "
                f"export holds the published values, write the unit alone, {expected}; if its values were converted "
                "to another state, ask for the published ones")
    close = max(spellings, key=lambda k: difflib.SequenceMatcher(None, raw, k).ratio())
    matcher = difflib.SequenceMatcher(None, raw, close)
    if matcher.ratio() < 0.5:
        return ""
    parts = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        written, meant = ", ".join(_char(c) for c in raw[i1:i2]), ", ".join(_char(c) for c in close[j1:j2])
        if op == "replace":
            parts.append(f"{written} where {close} has {meant}")
        elif op == "delete":
            parts.append(f"{written} that {close} does not have")
        elif op == "insert":
            parts.append(f"no {meant} where {close} has it")
    return "; it differs from " + close + " in " + "; ".join(parts) if parts else ""
