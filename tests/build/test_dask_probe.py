"""``--scheduler`` names a port that answers but is not a Dask scheduler (the dashboard's 8787 for the
scheduler's 8786, another service): refused before anything is evaluated or written, exit 2, instead of
a build that waits for ever holding the lock, or a traceback from Dask reading the service's bytes as a
frame length (hostile review 7, finding 6). No Dask cluster is needed."""

from __future__ import annotations

import http.server
import socket
import threading

import pytest

import zzeval.build.run as run
from tests.tiny_season import write_tiny_season
from zzeval.cli import main
from zzeval.errors import BuildError


@pytest.fixture
def http_port():
    """A local web server on a free port: what the dashboard's port answers."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def garbage_port():
    """A service that greets every connection with its own banner (as SSH or a proxy does)."""
    listener = socket.create_server(("127.0.0.1", 0))
    conns = []

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conns.append(conn)
            conn.sendall(b"SSH-2.0-OpenSSH_8.9\r\n" * 8)

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()
    for conn in conns:
        conn.close()


@pytest.fixture
def quick_probe(monkeypatch):
    monkeypatch.setattr(run, "SCHEDULER_PROBE_TIMEOUT_S", 1.0)


def _build(tmp_path, address: str, capsys) -> tuple[int, str]:
    data = write_tiny_season(tmp_path / "season", days=2)
    code = main(["build", "--data", str(data), "--out", str(tmp_path / "out"), "--draws", "200",
                 "--executor", "dask", "--scheduler", address])
    return code, capsys.readouterr().err


def test_a_web_server_on_the_port_is_refused_before_anything_is_written(http_port, quick_probe, tmp_path, capsys):
    address = f"tcp://127.0.0.1:{http_port}"
    code, err = _build(tmp_path, address, capsys)
    assert code == 2 and "Traceback" not in err
    assert (f"{address} accepts connections but did not answer as a Dask scheduler within 1 s: is it the "
            "dashboard or another service? A Dask scheduler listens on port 8786 by default (--scheduler "
            "tcp://127.0.0.1:8786; its dashboard is 8787); nothing was written") in err
    assert not (tmp_path / "out").exists()  # no lock, no cache, no log


def test_a_service_that_sends_its_own_bytes_is_refused(garbage_port, quick_probe, tmp_path, capsys):
    address = f"tcp://127.0.0.1:{garbage_port}"
    code, err = _build(tmp_path, address, capsys)
    assert code == 2 and "Traceback" not in err
    assert f"{address} accepts connections but does not speak Dask's protocol" in err
    assert "listens on port 8786 by default" in err
    assert not (tmp_path / "out").exists()


def test_a_real_scheduler_passes_and_a_worker_is_named():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                      dashboard_address=None) as cluster:
        run.check_scheduler_reachable(cluster.scheduler_address, 5)  # no error
        worker = next(iter(cluster.scheduler.workers))
        with pytest.raises(BuildError, match=rf"{worker} is a Dask Worker, not the scheduler"):
            run.check_scheduler_reachable(worker, 5)
