"""Synthetic seasons: all made up, and they say so.

* :mod:`zzeval.synthetic.sample` writes the sample season (``data/sample``): Zezhou's real 17
  townships and plan targets with synthetic measurements and planted effects
  (tables in :mod:`~zzeval.synthetic.sample_tables`, weather and air quality in
  :mod:`~zzeval.synthetic.sample_air`).
* :mod:`zzeval.synthetic.planted` makes in-memory seasons whose concentrations follow the
  weather model's own log-linear form, for unit tests of the estimators.
* :mod:`zzeval.synthetic.winter` is an independent generator of two heating seasons (a box
  model driven by a synoptic weather cycle; its physics is not the functional form of
  :mod:`zzeval.airquality.weather`), and :mod:`zzeval.synthetic.weather_validation` measures how
  well a weather adjustment recovers the township effects planted in it.
"""
