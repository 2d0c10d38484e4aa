"""A Spark session started on first use, with the options the CLI passes through."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from listbuilder.errors import InputError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MIN_JAVA = 17
DEFAULT_MASTER = "local[*]"

# Defaults for local mode (a cluster's own defaults are left alone): few shuffle
# partitions (the default 200 costs more than the work on one machine), Arrow batches
# of 50,000 rows (each batch is one call of a polars stage, whose fixed cost the default
# 10,000 would pay five times as often), a 4 GB heap and no cap on what a job returns
# to the driver (the driver is this process and holds the list between stages; Spark's
# 1 GB default fails a 200,000-row list now and then), no web UI.
LOCAL_DEFAULTS = {
    "spark.driver.memory": "4g",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "50000",
    "spark.driver.maxResultSize": "0",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}


def java_version() -> int | None:
    """The major version of the ``java`` Spark would start (``JAVA_HOME`` first), or None."""
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not java or not os.path.exists(java):
        return None
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major  # "1.8" is Java 8


def missing_requirement(master: str) -> str | None:
    """Why ``--engine spark`` cannot start here (no pyspark, no Java 17+), or None.

    Java is checked for local mode only: on a cluster it is the cluster's."""
    if importlib.util.find_spec("pyspark") is None:
        return '--engine spark needs pyspark: pip install "listbuilder[spark]"'
    if master.startswith("local"):
        version = java_version()
        if version is None or version < MIN_JAVA:
            found = "no java found" if version is None else f"found Java {version}"
            return (
                f"--engine spark needs Java {MIN_JAVA} or later ({found}): "
                "install a JDK or set JAVA_HOME"
            )
    return None


def start_session(master: str | None, conf: Mapping[str, str]) -> SparkSession:
    """A session on ``master`` with ``conf`` (local mode: ``LOCAL_DEFAULTS`` under it).

    ``master`` None: the one ``spark-submit --master`` gave, else ``DEFAULT_MASTER``.
    Raises ``InputError`` naming what is missing when pyspark or Java 17+ is not there.
    """
    problem = missing_requirement(master or DEFAULT_MASTER)
    if problem is not None:
        raise InputError(problem)
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    if master is None:
        # under spark-submit the JVM is already up and knows its master
        master = SparkConf().get("spark.master", None) or DEFAULT_MASTER
    if master.startswith("local"):
        # the workers run this interpreter (and its polars, rapidfuzz) unless told otherwise
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings: dict[str, Any] = dict(LOCAL_DEFAULTS) if master.startswith("local") else {}
    settings.update(conf)
    builder = SparkSession.builder.master(master).appName("listbuilder")
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
