"""HCatalog dataset instances (``hcat://host:port/db/table/key=value;key=value``) and the
``coord:`` EL functions of them, as Oozie reads them (HCatURI, HCatURIParser, HCatELFunctions).

The functions are pure functions of the instance URIs a data-in or data-out resolves to:
``databaseIn/Out('x')`` and ``tableIn/Out('x')`` (of its first instance),
``dataInPartitionFilter('x', 'pig'|'hive'|'java')`` (``(ds=='1' AND region=='usa') OR ...``,
``=`` but for pig), ``dataInPartitionMin/Max('x', 'key')`` (compared as strings, as Oozie does),
``dataInPartitions('x', 'hive-export')``, ``dataOutPartitions('x')`` (``'ds=1,region=usa'``)
and ``dataOutPartitionValue('x', 'key')``. A URI that is not an HCatalog partition is an
ELError naming what is wrong, as Oozie's URISyntaxException does.

Whether a partition exists is another matter: that needs the metastore the URI names, which
mrkit does not run (its Hive is embedded, with no metastore server), so a local coordinator
and a rendered DAG fail an input they would have to wait for in HCatalog (:data:`CANNOT_WAIT`)
rather than wait for ever or pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from mr.workflow import el

SCHEME = "hcat"
#: oozie-default.xml's oozie.hcat.uri.regex.pattern: how Oozie splits a list of URIs (a
#: server part may hold several host:port, comma-separated)
URI_LIST = re.compile(r"([a-z]+://[\w.\-]+:\d+,*)+/\w+/\w+/?[\w+=;\-]*")
#: why an input of HCatalog partitions cannot be waited for here
CANNOT_WAIT = (
    "an HCatalog partition: mrkit cannot ask a Hive metastore whether it exists (Oozie waits "
    "for it through the metastore's notifications); run this coordinator on Oozie"
)


class HCatURI(NamedTuple):
    """One partition (or table) of HCatalog."""

    server: str
    db: str
    table: str
    partitions: dict[str, str]


def is_hcat(uri: str) -> bool:
    return uri.strip().lower().startswith(f"{SCHEME}://")


def parse(uri: str) -> HCatURI:
    """The parts of an hcat URI; ELError naming what is missing (Oozie's HCatURI rules)."""

    def bad(reason: str) -> el.ELError:
        return el.ELError(f"HCatalog URI {uri!r}: {reason}")

    if "://" not in uri:
        raise bad("not a URI (hcat://host:port/db/table/key=value;...)")
    scheme = uri[: uri.index("://") + 3]  # several servers: hcat://h1:1,hcat://h2:2/db/...
    parts = urlsplit(scheme + uri[len(scheme) :].replace(scheme, ""))
    if not parts.netloc:
        raise bad("server host and port are missing")
    path = parts.path.split("/")
    while path and not path[-1]:  # Java's split drops trailing empty strings
        path.pop()
    if len(path) not in (3, 4):
        raise bad("the path is not /db/table or /db/table/partition")
    db, table = path[1], path[2]
    if not db:
        raise bad("the database name is missing")
    if not table:
        raise bad("the table name is missing")
    partitions: dict[str, str] = {}
    if len(path) == 4:
        for part in path[3].split(";"):
            if not part:
                continue
            pair = part.split("=")
            if len(pair) != 2 or not pair[0] or not pair[1]:
                raise bad(f"partition {part!r} is not key=value")
            partitions[pair[0]] = pair[1]
    return HCatURI(parts.netloc, db, table, partitions)


def split(uris: str) -> list[str]:
    """The hcat URIs of a comma-separated list (coord:dataIn's value), as Oozie splits them."""
    found = [m.group(0) for m in URI_LIST.finditer(uris)]
    if uris.strip() and not found:
        raise el.ELError(f"HCatalog URI {uris!r}: not hcat://host:port/db/table/key=value;...")
    return found


def first(uris: str) -> HCatURI:
    found = split(uris)
    if not found:
        raise el.ELError("no HCatalog instance")
    return parse(found[0])


def partition_filter(uris: str, kind: str) -> str:
    """``(k=='v' AND ...) OR (...)``: pig's comparison ``==``, any other kind's ``=``."""
    op = "==" if el.as_text(kind).lower() == "pig" else "="
    filters = []
    for uri in split(uris):
        pairs = parse(uri).partitions.items()
        filters.append("(" + " AND ".join(f"{k}{op}'{v}'" for k, v in pairs) + ")")
    return " OR ".join(filters)


def partition_value(uris: str, key: str, pick: Callable[[list[str]], str]) -> str:
    values = []
    for uri in split(uris):
        value = parse(uri).partitions.get(key)
        if not value:
            raise el.ELError(f"HCatalog URI {uri!r}: no value for the partition key {key!r}")
        values.append(value)
    return pick(values) if values else ""


def partitions_text(uri: str) -> str:
    """``'k=v,k2=v2'`` (coord:dataOutPartitions)."""
    return "'" + ",".join(f"{k}={v}" for k, v in first(uri).partitions.items()) + "'"


def export_partitions(uris: str, kind: str) -> str:
    """``k='v',k2='v2'`` of one instance (coord:dataInPartitions, type hive-export only)."""
    if el.as_text(kind) != "hive-export":
        raise el.ELError(f"type {kind!r}: only 'hive-export' is known")
    found = split(uris)
    if len(found) > 1:
        raise el.ELError(f"{uris}: hive-export takes one partition, not {len(found)}")
    return ",".join(f"{k}='{v}'" for k, v in first(uris).partitions.items())


#: the coord: functions with the data-in (or data-out) name as their first argument
INPUT_FUNCTIONS = (
    "coord:databaseIn coord:tableIn coord:dataInPartitionFilter coord:dataInPartitionMin "
    "coord:dataInPartitionMax coord:dataInPartitions".split()
)
OUTPUT_FUNCTIONS = (
    "coord:databaseOut coord:tableOut coord:dataOutPartitions coord:dataOutPartitionValue".split()
)


def functions(
    data_in: Callable[[str], str], data_out: Callable[[str], str]
) -> dict[str, Callable[..., Any]]:
    """The EL functions, given what coord:dataIn('x') and coord:dataOut('x') resolve to."""

    def of_in(name: Any) -> str:
        return data_in(el.as_text(name))

    def of_out(name: Any) -> str:
        return data_out(el.as_text(name))

    return {
        "coord:databaseIn": lambda n: first(of_in(n)).db,
        "coord:tableIn": lambda n: first(of_in(n)).table,
        "coord:databaseOut": lambda n: first(of_out(n)).db,
        "coord:tableOut": lambda n: first(of_out(n)).table,
        "coord:dataInPartitionFilter": lambda n, kind: partition_filter(of_in(n), kind),
        "coord:dataInPartitionMin": lambda n, k: partition_value(of_in(n), el.as_text(k), min),
        "coord:dataInPartitionMax": lambda n, k: partition_value(of_in(n), el.as_text(k), max),
        "coord:dataInPartitions": lambda n, kind: export_partitions(of_in(n), kind),
        "coord:dataOutPartitions": lambda n: partitions_text(of_out(n)),
        "coord:dataOutPartitionValue": lambda n, k: partition_value(
            of_out(n), el.as_text(k), lambda values: values[0]
        ),
    }


def check_calls(text: str, inputs: dict[str, str], outputs: dict[str, str]) -> None:
    """ELError for the first call in text of a function above whose event (a literal name) is
    not a data-in (data-out) of the coordinator, or whose dataset's URI template (``${YEAR}``
    and such left in) is not an HCatalog URI: found when the app is read, not when it runs."""
    for name, args in el.calls(text, el.COORD_FUNCTIONS):
        events = (
            inputs if name in INPUT_FUNCTIONS else outputs if name in OUTPUT_FUNCTIONS else None
        )
        if events is None or not args or not isinstance(args[0], str):
            continue
        call = f"{name}('{args[0]}')"
        kind = "data-in" if events is inputs else "data-out"
        if args[0] not in events:
            raise el.ELError(f"{call}: no {kind} is named {args[0]!r}")
        template = events[args[0]]
        if not is_hcat(template):
            raise el.ELError(f"{call}: the dataset of {kind} {args[0]!r} is not of HCatalog "
                             f"partitions ({template})")  # fmt: skip
        try:
            parse(template)
        except el.ELError as e:
            raise el.ELError(f"{call}: {e}") from None
