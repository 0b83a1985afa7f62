"""zzeval: end-of-season evaluation of Zezhou County's autumn-winter air plan."""

from zzeval.errors import DataValidationError, Problem, ZzevalError

__version__ = "0.1.0"

#: Names of zzeval.season.data, imported on first use: ``import zzeval`` stays light for the
#: commands that need no data stack (``zzeval build`` with nothing to do imports no pandas).
_SEASON_NAMES = ("SeasonData", "SeasonPeriod", "season_period")


def __getattr__(name: str):
    if name in _SEASON_NAMES:
        from zzeval.season import data

        return getattr(data, name)
    raise AttributeError(f"module 'zzeval' has no attribute {name!r}")

__all__ = [
    "DataValidationError",
    "Problem",
    "SeasonData",
    "SeasonPeriod",
    "ZzevalError",
    "__version__",
    "season_period",
]
