"""Synthetic seasons: the sample season and the validation generators (all made up, and say so)."""
