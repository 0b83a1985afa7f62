"""Synthetic data for validating zzeval's estimators.

:mod:`zzeval.synthetic.winter` is an independent generator of two heating seasons (a box
model driven by a synoptic weather cycle; its physics is not the functional form of
:mod:`zzeval.weather`), and :mod:`zzeval.synthetic.weather_validation` measures how well a
weather adjustment recovers the township effects planted in it.
"""

# Transitional shim (issue 12 restructure): while the flat module ``zzeval/synthetic.py``
# still sits beside this package, the package shadows it; load it from its file and
# re-export its public names so that ``from zzeval.synthetic import make_season`` keeps
# working. Delete this block when synthetic.py moves into the package.
import importlib.util as _ilu
import sys as _sys
from pathlib import Path as _Path

_FLAT = _Path(__file__).resolve().parent.parent / "synthetic.py"
if _FLAT.is_file():
    _spec = _ilu.spec_from_file_location("zzeval._synthetic_flat", _FLAT)
    _flat = _ilu.module_from_spec(_spec)
    _sys.modules[_spec.name] = _flat
    _spec.loader.exec_module(_flat)
    SyntheticTruth = _flat.SyntheticTruth
    effect_path = _flat.effect_path
    make_season = _flat.make_season
    run_study = _flat.run_study
    run_did_study = _flat.run_did_study
    main = _flat.main
