"""Machinery of ``zzeval build``: kernels, content hashes, township tasks, executors.

The public entry point is :func:`zzeval.build.build_reports`; see ``docs/pipeline.md``.
"""
