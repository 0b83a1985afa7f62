"""The build: plan what is stale, run notebooks on an executor (local or Dask), publish atomically."""
