"""`--engine polars|spark`, `--spark-master`, `--spark-conf`: one decorator, one argument.

The three options reach the command as one keyword, ``engine``: ``"polars"``, or a
``listbuilder.spark.SparkEngine`` whose session starts when the first Spark stage runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

ENGINES = ("polars", "spark")


def engine_options(func: F) -> F:
    """Add the engine options to a command; it receives them as ``engine``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        name = kwargs.pop("engine_name")
        master = kwargs.pop("spark_master")
        conf = kwargs.pop("spark_conf")
        kwargs["engine"] = make_engine(name, master=master, conf=conf)
        return func(*args, **kwargs)

    wrapper = click.option(
        "--spark-conf",
        multiple=True,
        metavar="KEY=VALUE",
        help="A Spark setting for --engine spark, e.g. spark.executor.memory=4g. Repeatable.",
    )(wrapper)
    wrapper = click.option(
        "--spark-master",
        default=None,
        metavar="URL",
        help="Where --engine spark runs: spark://host:7077, yarn, local[4]... (default: "
        "spark-submit's --master, else local[*]).",
    )(wrapper)
    wrapper = click.option(
        "--engine",
        "engine_name",
        type=click.Choice(ENGINES),
        default="polars",
        show_default=True,
        help="Run the stages that grow with the list (ingest, normalisation, blocking, pair "
        "comparison, clustering, scoring, ranking) in this process (polars) or on Apache "
        'Spark (needs pip install "listbuilder[spark]" and Java 17+). Same output. With '
        "spark, a list may be a Spark path (hdfs://, s3a://, file://).",
    )(wrapper)
    return wrapper  # type: ignore[return-value]


def make_engine(name: str, *, master: str | None, conf: tuple[str, ...]) -> Any:
    """``"polars"``, or a lazy ``SparkEngine`` for ``"spark"``."""
    if name != "spark":
        if master is not None or conf:
            given = "--spark-master" if master is not None else "--spark-conf"
            raise click.UsageError(f"{given} needs --engine spark")
        return "polars"
    from listbuilder.errors import InputError
    from listbuilder.spark import SparkEngine, SparkOptions, parse_spark_conf
    from listbuilder.spark.session import DEFAULT_MASTER, missing_requirement

    options = SparkOptions(master, parse_spark_conf(conf))
    problem = missing_requirement(master or DEFAULT_MASTER)  # before any list is read
    if problem is not None:
        raise InputError(problem)
    return SparkEngine(options)
