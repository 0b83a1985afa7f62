"""zzeval: end-of-season evaluation of Zezhou County's autumn-winter air plan."""

from zzeval.errors import DataValidationError, Problem, ZzevalError
from zzeval.season.data import SeasonData, SeasonPeriod, season_period

__version__ = "0.1.0"

__all__ = [
    "DataValidationError",
    "Problem",
    "SeasonData",
    "SeasonPeriod",
    "ZzevalError",
    "__version__",
    "season_period",
]
