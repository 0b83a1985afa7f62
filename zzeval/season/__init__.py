"""The season: input schema, loading and validation, the season period and its data."""
