"""job.properties, as Oozie reads, layers and writes it, in one place for every engine (the
local runner, the Oozie server's submissions, coordinators, the Airflow rendering).

- Reading: :func:`read_properties` is java.util.Properties' format (``key=value``, ``key:
  value`` or ``key value``; ``#`` and ``!`` comments; a trailing backslash continues a line;
  ``\\t \\n \\uXXXX`` escapes, surrogate pairs joined); :func:`job_properties` reads a file as
  UTF-8, as Oozie's CLI does (OozieCLI loads it through a UTF-8 reader), and is ``{}`` when
  there is none. Capture-output data is read the same way.
- Layering: :func:`layered_values`, Oozie's order: ``<parameters>`` defaults < the app's
  properties < job.properties < values given on the command line, ``${name}`` expanded from
  the others as Hadoop's Configuration does.
- Writing: :func:`properties_text`, keys and values escaped (:func:`escape_key`,
  :func:`escape_value`) so that any reader of the format, ISO 8859-1 or UTF-8, gets them back.
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from mr.lib.errors import UsageError
from mr.workflow.nodes import Parameter

#: the name node a local run pretends to have when nothing sets nameNode
LOCAL_NAME_NODE = "hdfs://localhost"


def read_properties(text: str) -> dict[str, str]:
    """Java properties (key=value, key: value or key value; # and ! comments; a trailing \\
    continues the line), as Oozie reads capture-output and job.properties."""
    logical: list[str] = []
    pending: str | None = None
    for raw in text.splitlines():
        line = raw.lstrip()
        if pending is None and (not line or line[0] in "#!"):
            continue
        line = line if pending is None else pending + line
        backslashes = len(line) - len(line.rstrip("\\"))
        if backslashes % 2 == 1:  # an odd number of trailing backslashes continues the line
            pending = line[:-1]
            continue
        pending = None
        logical.append(line)
    if pending is not None:
        logical.append(pending)
    props: dict[str, str] = {}
    for line in logical:
        m = re.match(r"((?:[^=:\s\\]|\\.)*)\s*[=:]?\s*(.*)$", line)
        if m and m.group(1):
            props[_unescape(m.group(1))] = _unescape(m.group(2))
    return props


def _unescape(text: str) -> str:
    """Java properties escapes: \\t \\n \\uXXXX (a surrogate pair: one character), \\x as x."""

    def one(m: re.Match[str]) -> str:
        c = m.group(1)
        if c[0] == "u":
            return chr(int(c[1:], 16))
        return {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(c, c)

    text = re.sub(r"\\(u[0-9a-fA-F]{4}|.)", one, text)
    # \ud83d\ude00 (how the writer and Java spell a character beyond U+FFFF) -> one character
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def job_properties(path: Path) -> dict[str, str]:
    """The keys and values of a job.properties file; {} when there is none."""
    if not path.is_file():
        return {}
    return read_properties(path.read_text(encoding="utf-8"))


def layered_values(
    owner: str,
    parameters: Iterable[Parameter],
    properties: Mapping[str, str],
    file_values: Mapping[str, str] | None,
    given: Mapping[str, str] | None,
    referenced_by: Iterable[str] = (),
) -> dict[str, str]:
    """Values as Oozie layers them: <parameters> defaults < the app's properties <
    job.properties < given; ${name} in a value is expanded from the others (Hadoop's
    Configuration does that for job.properties). Every parameter without a default, and every
    ${name} in referenced_by, must be set: UsageError naming the ones nothing sets."""
    parameters = list(parameters)
    values: dict[str, str] = {"user.name": getpass.getuser(), "nameNode": LOCAL_NAME_NODE,
                              "resourceManager": "local"}  # fmt: skip
    values.update({p.name: p.value for p in parameters if p.value is not None})
    values.update(properties)
    values.update(file_values or {})
    values.update(given or {})
    missing = [p.name for p in parameters if p.name not in values]
    for text in referenced_by:
        missing += [m for m in _NAME_REF.findall(text) if m not in values]
    if missing:
        raise UsageError(
            f"{owner}: no value for {', '.join(dict.fromkeys(missing))}; "
            "give --property NAME=VALUE or put it in job.properties"
        )
    for _ in range(10):  # values that name values, a few levels deep
        expanded = {k: expand_names(v, values) for k, v in values.items()}
        if expanded == values:
            break
        values = expanded
    return values


_NAME_REF = re.compile(r"\$\{([A-Za-z_][\w.]*)\}")


def expand_names(text: str, values: Mapping[str, str]) -> str:
    """${name} replaced by its value where values has it (other ${...} kept)."""
    return _NAME_REF.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def properties_text(title: str, values: dict[str, str]) -> str:
    lines = [f"# job.properties of {title} (written by mrkit)"]
    lines += [f"{escape_key(k)}={escape_value(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def escape_key(key: str) -> str:
    """A java.util.Properties key: = : # ! and spaces escaped."""
    return _escape(key, "=: #!")


def escape_value(value: str) -> str:
    """A java.util.Properties value: a leading space escaped (others are kept as they are)."""
    escaped = _escape(value, "")
    return "\\" + escaped if escaped.startswith(" ") else escaped


def _escape(text: str, specials: str) -> str:
    out = []
    for ch in text:
        if ch in specials or ch == "\\":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) > 0x7E or ord(ch) < 0x20:
            # java.util.Properties reads ISO 8859-1; \uXXXX keeps any character
            out.extend(f"\\u{unit:04x}" for unit in _utf16_units(ch))
        else:
            out.append(ch)
    return "".join(out)


def _utf16_units(ch: str) -> list[int]:
    data = ch.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
