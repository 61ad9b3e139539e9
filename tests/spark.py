"""Apache Spark for the tests: Java present (CI fails without it, a laptop skips), a
``local[2]`` session, and a standalone master with two workers on loopback, started from the
pyspark package's own ``spark-class`` and stopped again."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def need_java() -> None:
    if shutil.which("java") is None:
        message = "java is missing: Spark needs a JRE (apt-get install openjdk-17-jre-headless)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        import pyspark  # noqa: F401
    except ImportError:
        message = "pyspark is missing: install caseload's scale extra (make test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not listen on {port}: {log.read_text()[-2000:]}")


@contextmanager
def standalone_cluster(folder: Path, workers: int = 2) -> Iterator[str]:
    """A standalone master and ``workers`` workers (one core, 768 MB each) on 127.0.0.1;
    yields the master URL and stops every process after."""
    need_java()
    import pyspark

    home = Path(pyspark.__file__).parent
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "PYSPARK_PYTHON": sys.executable,
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_WORKER_DIR": str(folder / "work"),
    }
    spark_class = str(home / "bin" / "spark-class")
    port = _free_port()
    master_url = f"spark://127.0.0.1:{port}"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        log = folder / "master.log"
        processes.append(
            subprocess.Popen(
                [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                 "--port", str(port), "--webui-port", str(_free_port())],
                env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
            )
        )  # fmt: skip
        _wait_for(port, 60, "the Spark master", log)
        for i in range(workers):
            log = folder / f"worker-{i}.log"
            processes.append(
                subprocess.Popen(
                    [spark_class, "org.apache.spark.deploy.worker.Worker", master_url,
                     "--host", "127.0.0.1", "--cores", "1", "--memory", "768m",
                     "--webui-port", str(_free_port()), "--work-dir", str(folder / f"w{i}")],
                    env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                )
            )  # fmt: skip
        _wait_registered(folder / "master.log", workers, 60)
        yield master_url
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_registered(log: Path, workers: int, seconds: float) -> None:
    """Until the master's log has registered ``workers`` workers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.read_text(errors="replace").count("Registering worker") >= workers:
            return
        time.sleep(0.3)
    raise AssertionError(f"the workers did not register: {log.read_text()[-2000:]}")
