"""A dataset's manifest and the words for a file an engine cannot read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseload.store import datasets
from caseload.store.datasets import DatasetError, Manifest


def _manifest(folder: Path, **extra: object) -> Manifest:
    data = {
        "format": datasets.FORMAT,
        "schema_revision": "0008",
        "partitioned": ["meeting"],
        "closed": True,
        "tables": {"meeting": 3},
        **extra,
    }
    (folder / datasets.MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    return datasets.manifest(folder)


def test_a_manifest_written_before_files_were_listed_reads_what_is_there(tmp_path: Path) -> None:
    found = _manifest(tmp_path)
    assert found.files is None and found.written("meeting") is None
    assert datasets.pruned(found, "meeting", None) is None


def test_the_listed_files_are_read_and_only_the_chosen_centres(tmp_path: Path) -> None:
    names = ["jobcentre=101/101.parquet", "jobcentre=751/751.parquet",
             "jobcentre=__HIVE_DEFAULT_PARTITION__/shared.parquet"]  # fmt: skip
    for name in names:
        (tmp_path / "meeting" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "meeting" / name).write_bytes(b"")
    found = _manifest(tmp_path, files={"meeting": names})
    every = datasets.pruned(found, "meeting", None)
    assert every == [tmp_path / "meeting" / n for n in names]
    chosen = datasets.pruned(found, "meeting", frozenset({"jobcentre=101"}))
    assert chosen == [tmp_path / "meeting" / names[0], tmp_path / "meeting" / names[2]]
    (tmp_path / "meeting" / names[1]).unlink()
    with pytest.raises(DatasetError, match=r"751/751\.parquet is listed in dataset\.json"):
        datasets.pruned(found, "meeting", None)


@pytest.mark.parametrize("name", ["../../etc/passwd.parquet", "/tmp/x.parquet", "notes.txt"])
def test_a_manifest_naming_a_file_outside_its_table_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(DatasetError, match="not a caseload dataset manifest"):
        _manifest(tmp_path, files={"meeting": [name]})


class Py4JJavaError(Exception):
    """Named as PySpark's error from the JVM is: only its name and text are looked at."""


def test_an_unreadable_file_is_said_in_the_engines_own_words(tmp_path: Path) -> None:
    found = _manifest(tmp_path)
    inside = f"{found.folder}/meeting/jobcentre=101/101.parquet"
    java = Py4JJavaError(
        "An error occurred while calling o122.parquet.\n"
        "\tat org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat.read\n"
        f"Caused by: java.lang.RuntimeException: file:{inside} is not a Parquet file\n"
    )
    with pytest.raises(DatasetError) as said, datasets.unreadable_said(found):
        raise java
    text = said.value.text("en")
    assert text.startswith(f"{found.folder}: a file of the dataset cannot be read (")
    assert f"java.lang.RuntimeException: file:{inside} is not a Parquet file" in text
    with pytest.raises(DatasetError, match="Permission denied"), datasets.unreadable_said(found):
        raise PermissionError(13, "Permission denied", inside)
    # reading one known file: whatever its reader says is about that file
    one = found.folder / "meeting" / "jobcentre=101" / "101.parquet"
    with pytest.raises(DatasetError) as said, datasets.unreadable_said(found, one):
        raise OSError("parquet: File out of specification")
    assert "(meeting/jobcentre=101/101.parquet: parquet: File out of specification)" in str(
        said.value.text("en")
    )


def test_an_error_that_is_not_the_datasets_goes_up_as_it_is(tmp_path: Path) -> None:
    """The report is written inside the engine's block: a report folder that cannot be
    made, or a fault in a statement, is not a file of the dataset."""
    found = _manifest(tmp_path)
    with pytest.raises(FileNotFoundError), datasets.unreadable_said(found):
        raise FileNotFoundError(2, "No such file or directory", "/proc/nope")
    with pytest.raises(ZeroDivisionError), datasets.unreadable_said(found):
        raise ZeroDivisionError("a bug")
    with pytest.raises(Py4JJavaError), datasets.unreadable_said(found):
        raise Py4JJavaError("An error occurred while calling o9.sql.\nAnalysisException: x")


@pytest.mark.parametrize(
    "master", ["local", "local[2]", "local[*]", "spark://10.0.0.5:7077,10.0.0.6:7077", "yarn",
               "k8s://https://api:443", "sc://connect:15002", "local-cluster[2,1,1024]"],
)  # fmt: skip
def test_the_master_urls_spark_knows_are_taken(master: str) -> None:
    assert datasets.MASTER.fullmatch(master)


@pytest.mark.parametrize("master", ["bogus://x", "local[x]", "spark:/h:7077", ""])
def test_a_master_url_spark_does_not_know_is_refused_before_a_jvm_starts(master: str) -> None:
    with pytest.raises(DatasetError, match="not a Spark master"):
        datasets.spark_session(master)
