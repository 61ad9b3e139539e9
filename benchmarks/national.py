"""Benchmark: generate the national synthetic register straight to Parquet.

Runs `caseload demo --national` in a child process per size and reports wall time,
citizens per second, peak memory (RSS of the child) and the dataset's files and size.

    .venv/bin/python benchmarks/national.py --citizens 1000000 --citizens 10000000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe as machine  # benchmarks/ is the script's folder

CASELOAD = str(Path(sys.executable).with_name("caseload"))


def generate(citizens: int, jobcentres: int, workdir: Path) -> dict[str, object]:
    out = workdir / f"national-{citizens}"
    args = [CASELOAD, "demo", "--national", "--jobcentres", str(jobcentres),
            "--citizens", str(citizens), "--parquet", str(out), "--lang", "en"]  # fmt: skip
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as said:
        child = subprocess.Popen(
            args, stdout=said, stderr=subprocess.STDOUT, text=True,
            env=os.environ | {"COLUMNS": "200"},
        )  # fmt: skip
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        said.seek(0)
        text = said.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{text[-3000:]}")
    found = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    files = list(out.rglob("*.parquet"))
    result: dict[str, object] = {
        "citizens_asked": citizens,
        "citizens": found["tables"]["citizen"],
        "rows": sum(found["tables"].values()),
        "jobcentres": jobcentres,
        "seconds": round(wall, 1),
        "citizens_per_second": round(found["tables"]["citizen"] / wall),
        "peak_rss_gib": round(usage.ru_maxrss / 2**20, 2),
        "files": len(files),
        "size_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1),
        "summary": next((line for line in text.splitlines() if line.startswith("Wrote")), ""),
    }
    shutil.rmtree(out)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, action="append", default=[])
    parser.add_argument("--jobcentres", type=int, default=98)
    parser.add_argument("--workdir", type=Path, default=None)
    options = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory(dir=options.workdir) as folder:
        for citizens in options.citizens or [1_000_000]:
            print(json.dumps(generate(citizens, options.jobcentres, Path(folder))), flush=True)


if __name__ == "__main__":
    main()
