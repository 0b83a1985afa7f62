"""The Dask executor: every report is a task on a ``dask.distributed`` cluster.

Each task is :func:`zzeval.build.tasks.run_task`; a worker keeps one warm Jupyter kernel per
worker thread between tasks (and between builds, on a long-lived cluster, as long as the package
code is the same). Workers read the season and the notebooks and write the reports themselves, so
all of them must see ``data_dir``, the notebooks and the output folder under the same paths
(shared storage, see ``docs/pipeline.md``); only small result dicts travel back.
"""

from __future__ import annotations

from zzeval.errors import BuildError


def run_tasks_dask(tasks: list[dict], on_result, jobs: int, scheduler: str | None = None) -> None:
    """Run ``tasks`` on the cluster at ``scheduler`` (or a new ``LocalCluster`` of ``jobs``
    single-threaded worker processes) and call ``on_result(task, result)`` as they finish."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover
        raise BuildError("the Dask executor needs dask.distributed: pip install 'dask[distributed]'") from exc

    from zzeval.build.tasks import run_task

    cluster = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout="30s")
            except OSError as exc:
                raise BuildError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        else:
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
            client = Client(cluster)
    except BuildError:
        raise
    try:
        by_key = {}
        futures = []
        for task in tasks:
            fut = client.submit(run_task, task, key=f"zzeval-report-{task['id']}-{id(task):x}",
                                pure=False, retries=0)
            by_key[fut.key] = task
            futures.append(fut)
        for fut in as_completed(futures):
            task = by_key[fut.key]
            try:
                res = fut.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker fails that report only
                res = {"id": task["id"], "status": "failed", "seconds": 0.0,
                       "error": {"cell_index": -1, "code_cell_number": 0, "source_head": "",
                                 "ename": type(exc).__name__, "evalue": str(exc)[:2000],
                                 "traceback": ""}}
            on_result(task, res)
    finally:
        if cluster is not None:
            try:
                client.run(_shutdown_kernels)
            except Exception:  # noqa: BLE001
                pass
        client.close()
        if cluster is not None:
            cluster.close()


def _shutdown_kernels() -> None:
    from zzeval.build.kernels import shutdown_all_sessions

    shutdown_all_sessions()
