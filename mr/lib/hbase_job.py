"""HBaseJob: the base of the jobs that read or write the HBase index through its Thrift server.

It adds the options those jobs share (``--table``, ``--batch-size``, ``--hbase-host``,
``--hbase-port``, ``--hbase-transport``, ``--hbase-protocol``, ``--hbase-sasl``) and their
checks; a job names its client class (``INDEX = mr.clients.hbase.Index``: lib does not import
clients) and a task opens its connection with ``self.open_index()``.

With ``--hbase-sasl`` and ``-r hadoop`` the tasks have no Kerberos ticket: the launcher obtains a
delegation token from the gateway with the user's ticket and gives it to the job
(mr/clients/hbase_tokens.py), renews it while the job runs and cancels it when it ends.
"""

from __future__ import annotations

from typing import Any

from mr.lib import auth, config
from mr.lib.errors import UsageError
from mr.lib.job import RecordJob


class HBaseJob(RecordJob):
    """A job that talks to the HBase Thrift server: --table, --batch-size, --hbase-host/-port.

    Subclasses set TABLE_HELP, BATCH_SIZE and BATCH_HELP.
    """

    TABLE_HELP = "HBase table"
    BATCH_SIZE = 1000
    BATCH_HELP = "rows per put round trip"
    #: the index client class (mr.clients.hbase.Index), named by each job
    INDEX: Any = None
    #: the token the launcher obtained for the tasks (-r hadoop with SASL), released at the end
    _job_token: Any = None

    def configure_args(self) -> None:
        super().configure_args()
        self.add_passthru_arg("--table", help=self.TABLE_HELP)
        self.add_passthru_arg(
            "--batch-size",
            type=int,
            default=self.BATCH_SIZE,
            help=f"{self.BATCH_HELP} (default {self.BATCH_SIZE})",
        )
        self.add_passthru_arg(
            "--hbase-host",
            default=config.hbase_host(),
            help=f"HBase Thrift server host (default ${config.HBASE_HOST_ENV} or "
            f"{config.DEFAULT_HBASE_HOST})",
        )
        self.add_passthru_arg(
            "--hbase-port",
            type=int,
            default=config.hbase_port(),
            help=f"HBase Thrift server port (default ${config.HBASE_PORT_ENV} or "
            f"{config.DEFAULT_HBASE_PORT})",
        )

        self.add_passthru_arg(
            "--hbase-transport",
            choices=config.THRIFT_TRANSPORTS,
            default=config.hbase_transport(),
            help=f"Thrift transport of the server (default ${config.HBASE_TRANSPORT_ENV} or "
            "buffered; framed for a ThriftServer started with -f)",
        )
        self.add_passthru_arg(
            "--hbase-protocol",
            choices=config.THRIFT_PROTOCOLS,
            default=config.hbase_protocol(),
            help=f"Thrift protocol of the server (default ${config.HBASE_PROTOCOL_ENV} or "
            "binary; compact for a ThriftServer started with -c)",
        )

        self.add_passthru_arg(
            "--hbase-sasl",
            choices=config.HBASE_SASL_CHOICES,
            default=config.hbase_sasl(),
            help=f"SASL/GSSAPI (Kerberos) with this qop, the server's hbase.thrift.security.qop "
            f"(default ${config.HBASE_SASL_ENV} or off)",
        )

    def validate_options(self) -> None:
        super().validate_options()
        if not self.options.table:
            raise UsageError("--table is required")
        if self.options.batch_size < 1:
            raise UsageError(f"--batch-size must be at least 1, not {self.options.batch_size}")

    def _runner_kwargs(self) -> dict[str, Any]:
        kwargs = super()._runner_kwargs()
        # the settings as the launcher resolved them (its MRKIT_HBASE_* environment included)
        # travel with the tasks: a YARN container does not see the launcher's environment
        extra = list(kwargs.get("extra_args") or [])
        for option, value in self.thrift_settings().items():
            flag = f"--hbase-{option}"
            if flag not in extra and not any(a.startswith(f"{flag}=") for a in extra):
                extra += [flag, str(value)]
        kwargs["extra_args"] = extra
        if self._runner_class().alias == "hadoop" and self.options.hbase_sasl != "off":
            jobconf = dict(kwargs.get("jobconf") or {})
            user = auth.short_name(auth.require_ticket().principal)
            self._job_token = self.open_index().job_token(user, jobconf)
            kwargs["jobconf"] = {**jobconf, **self._job_token.jobconf()}
        return kwargs

    def run_job(self) -> None:
        try:
            super().run_job()
        finally:
            if self._job_token is not None:
                self._job_token.release()
                self._job_token.index.close()

    def open_index(self) -> Any:
        """A connection pool of one to the index, with this job's settings."""
        return self.INDEX(**self.thrift_settings(), pool_size=1)

    def thrift_settings(self) -> dict[str, Any]:
        """Where the Thrift server is, as keyword arguments of ``mr.clients.hbase.Index``."""
        o = self.options
        return {
            "host": o.hbase_host,
            "port": o.hbase_port,
            "transport": o.hbase_transport,
            "protocol": o.hbase_protocol,
            "sasl": o.hbase_sasl,
        }
