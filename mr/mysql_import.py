"""Import rows from MySQL or MariaDB, one key range per map task (Sqoop's import).

Input: split descriptors, one line per map task, as `mrkit import mysql` writes them
(mr/clients/mysql_import.py): the split, the SELECT that reads it and its parameters
    ``{"params":[1,250001],"split":{"hi":250001,"kind":"range","last":false,"lo":1,"number":0},
    "sql":"SELECT * FROM `users` WHERE (`id` >= %s AND `id` < %s)"}``
Output: the rows, one line each, in mrkit's TSV (``--format tsv``, default) or MySQL CSV
(``--format csv``), values written by mr/lib/sqlvalues.py (exact DECIMAL, ISO 8601 times,
base64 bytes, ``\\N`` for NULL)
    ``7	Grace Hopper	grace@example.com``
Twins: none (the rows come from a server)

PyMySQL (pure Python) ships with the job like ``mr``, so task nodes need neither installed.

Run it with ``mrkit import mysql`` (mr/cli/imports.py), which plans the splits (mr/lib/splits.py
states the rule), writes the descriptors, runs this job and publishes its output atomically
with ``_SUCCESS``. Map-only: one part file per split. Each map task connects to the server
itself (``--url``; the password from ``$MRKIT_MYSQL_PASSWORD`` or ``--option-file``, never
the command line; on YARN only the option file, which ships with the job, reaches the tasks)
and streams its rows; a task that loses the server fails the job (nothing
is published). The descriptor file is read with Hadoop's NLineInputFormat, one line per map
task, on YARN and (mr/lib/mrjob_fixes.py) on the inline and local runners alike.

With ``mrkit import mysql --direct`` a descriptor holds a statement for the mysql client
instead, which the task runs (mr/clients/mysql_direct.py): the server writes the lines.

Counters (group mysql_import): rows (all splits), rows_split_NNNNN (per split), splits,
bad_descriptors.
"""

import os

import pymysql

from mr.clients.mysql import connect, parse_url
from mr.clients.mysql_direct import direct_blocks
from mr.clients.mysql_import import parse_task, split_lines
from mr.lib import jobconf
from mr.lib.config import mysql_url
from mr.lib.job import MRKitJob, MRStep, UsageError
from mr.lib.sqlvalues import FORMATS


class RawLinesProtocol:
    """Output lines written as the mapper made them (blocks of encoded rows, see split_lines)."""

    def write(self, key, value):
        return value if isinstance(value, bytes) else value.encode("utf-8")

    def read(self, line):
        return None, line.decode("utf-8")


class MySQLImport(MRKitJob):
    """Read each split's rows from MySQL and write them as TSV or MySQL CSV."""

    OUTPUT_PROTOCOL = RawLinesProtocol
    JOBCONF = {
        jobconf.LINES_PER_MAP: "1",
        jobconf.STREAM_MAP_INPUT_IGNORE_KEY: "true",
        # each line written whole: no key/value split, no TAB added to a line that has none
        jobconf.STREAM_MAP_OUTPUT: jobconf.KEY_ONLY_TEXT,
        # a second attempt of a slow task would read the same rows from the server again
        jobconf.MAP_SPECULATIVE: "false",
    }

    def dirs(self):
        # PyMySQL is pure Python: it ships with the job as `mr` does, so task nodes need neither
        # (the inline runner's tasks run in this process, which has both)
        shipped = super().dirs()
        if self._runner_class().alias == "inline":
            return shipped
        return [*shipped, os.path.dirname(os.path.abspath(pymysql.__file__)) + "#pymysql"]

    def hadoop_input_format(self):
        # the inline and local runners warn that they ignore it: they honour LINES_PER_MAP
        # instead (mr/lib/mrjob_fixes.py)
        if self._runner_class().alias == "hadoop":
            return jobconf.NLINE_INPUT_FORMAT
        return None

    def configure_args(self):
        super().configure_args()
        self.add_passthru_arg(
            "--url",
            default=mysql_url(),
            help="the server: mysql://user@host:port/database (default $MRKIT_MYSQL_URL, "
            "else `mrkit mysql up`'s MariaDB); no password in it",
        )
        self.add_file_arg(
            "--option-file",
            help="a MySQL option file ([client] password=...) shipped to the tasks",
        )
        self.add_passthru_arg(
            "--format",
            choices=FORMATS,
            default="tsv",
            help="tsv: mrkit's TSV, \\N for NULL (default); csv: MySQL CSV "
            "(FIELDS TERMINATED BY ',' ENCLOSED BY '\"')",
        )

    def validate_options(self):
        try:
            parse_url(self.options.url)
        except UsageError as e:
            raise UsageError(f"--url: {e}") from None

    def steps(self):
        return [
            MRStep(
                mapper_init=self.mapper_init_connect,
                mapper=self.mapper_read_split,
                mapper_final=self.mapper_final_close,
            )
        ]

    def mapper_init_connect(self):
        self.server = parse_url(self.options.url)
        self.conn = None  # connected for the first split read through the driver

    def mapper_read_split(self, _, line):
        task = parse_task(line.decode("utf-8", "replace"))
        if task is None:
            self.count("bad_descriptors")
            return
        self.count("splits")
        rows = 0
        if task.direct is not None:  # the mysql client reads, the server formats
            d = task.direct
            blocks = direct_blocks(
                task.sql, self.server, d.fmt, d.width, d.floats, self.options.option_file, d.carried
            )
        else:
            if self.conn is None:
                self.conn = connect(self.server, option_file=self.options.option_file)
            blocks = split_lines(self.conn, task, self.options.format, self.server)
        for block, n in blocks:
            rows += n
            yield None, block
        # counted once the split is read: a failed task's partial rows never show
        self.count(f"rows_split_{task.split.number:05d}", rows)
        self.count("rows", rows)

    def mapper_final_close(self):
        if self.conn is not None:
            self.conn.close()


if __name__ == "__main__":
    MySQLImport.run()
