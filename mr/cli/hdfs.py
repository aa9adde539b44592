"""``mrkit hdfs put|get|ls|cat|rm|mkdir|cache``: HDFS over WebHDFS with mr/clients/hdfs.py."""

from __future__ import annotations

import argparse
import posixpath
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mr.cli.progress import progress_for
from mr.lib.globs import has_magic
from mr.lib.webhdfs import HdfsError

if TYPE_CHECKING:
    from mr.clients.hdfs import HDFS

    HdfsCommand = Callable[[HDFS, argparse.Namespace], int]


def local_size(path: Path) -> int:
    """Bytes in a local file, or in all files under a directory."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def cmd_put(fs: HDFS, args: argparse.Namespace) -> int:
    if len(args.local) > 1:
        fs.mkdir(args.path)
    for local in map(Path, args.local):
        if not local.exists():
            raise HdfsError(f"local path {local} does not exist")
        total = local_size(local)
        with progress_for(total, f"put {local.name}", args.progress) as progress:
            print(fs.put(local, args.path, overwrite=args.overwrite, progress=progress))
    return 0


def expand(fs: HDFS, paths: list[str], missing_ok: bool = False) -> list[str]:
    """Paths with Hadoop globs (``/out/part-*``) replaced by what they match, sorted; a glob that
    matches nothing is an error (as in `hadoop fs`) unless missing_ok. Other paths stay."""
    out = []
    for path in paths:
        if not has_magic(path):
            out.append(path)
            continue
        matches = fs.glob(path)
        if not matches and not missing_ok:
            raise HdfsError(f"{path}: no such file or directory (the glob matches nothing)")
        out += matches
    return out


def cmd_get(fs: HDFS, args: argparse.Namespace) -> int:
    sources = expand(fs, [args.path])
    if len(sources) > 1 and not Path(args.local).is_dir():
        raise HdfsError(f"{args.path} matches {len(sources)} paths: {args.local} must be an "
                        "existing directory to get them into")  # fmt: skip
    for source in sources:
        if fs.status(source) is None:
            raise HdfsError(f"{source}: no such file or directory")
        total = sum(e.size for e in fs.ls(source, recursive=True) if not e.is_dir)
        label = f"get {posixpath.basename(source.rstrip('/'))}"
        with progress_for(total, label, args.progress) as progress:
            print(fs.get(source, args.local, overwrite=args.overwrite, progress=progress))
    return 0


def cmd_ls(fs: HDFS, args: argparse.Namespace) -> int:
    for path in expand(fs, args.paths):
        for e in fs.ls(path, recursive=args.recursive):
            when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(e.modified))
            print(f"{'d' if e.is_dir else '-'} {e.size:>12} {when} {e.path}")
    return 0


def cmd_cat(fs: HDFS, args: argparse.Namespace) -> int:
    out = sys.stdout.buffer
    for path in expand(fs, args.paths):
        for chunk in fs.cat(path):
            out.write(chunk)
    out.flush()
    return 0


def cmd_rm(fs: HDFS, args: argparse.Namespace) -> int:
    # like rm(1): delete every path that exists, then name the ones that did not
    paths = expand(fs, args.paths, missing_ok=args.force)
    missing = [p for p in paths if not fs.rm(p, recursive=args.recursive)]
    if missing and not args.force:
        raise HdfsError(f"{', '.join(missing)}: no such file or directory")
    return 0


def cmd_mkdir(fs: HDFS, args: argparse.Namespace) -> int:
    for path in args.paths:
        fs.mkdir(path)
    return 0


def cmd_cache(fs: HDFS, args: argparse.Namespace) -> int:
    from mr.lib.job_cache import HDFS_CACHE_DIR, cache_entries, unused

    root = fs.resolve(HDFS_CACHE_DIR)
    if fs.status(root) is None:
        print(f"no job cache at {root} (-r hadoop runs make it)", file=sys.stderr)
        return 0
    entries = cache_entries(root, fs.ls(root, recursive=True))
    if args.prune is not None:
        entries = unused(entries, time.time(), args.prune)
    for e in entries:
        when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(e.last_used))
        names = ",".join(e.names) or "(an unfinished upload)"
        print(f"{e.size:>12} {when} {posixpath.basename(e.directory)[:12]}  {names}")
    total = sum(e.size for e in entries)
    if args.prune is None:
        print(f"{len(entries)} entries, {total} bytes, in {root}", file=sys.stderr)
        return 0
    if not args.dry_run:
        for e in entries:
            fs.rm(e.directory, recursive=True)
    verb = "would remove" if args.dry_run else "removed"
    print(f"{verb} {len(entries)} entries unused for {args.prune} days ({total} bytes) "
          f"from {root}", file=sys.stderr)  # fmt: skip
    return 0


def check_cache_args(args: argparse.Namespace) -> None:
    from mr.lib.errors import UsageError

    if args.dry_run and args.prune is None:
        raise UsageError("--dry-run goes with --prune DAYS: without it nothing is removed")


def positive_days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number of days, 1 or more")
    return days


def with_client(
    command: HdfsCommand, check: Callable[[argparse.Namespace], None] | None = None
) -> Callable[[argparse.Namespace], int]:
    """A command function that runs `command` with the configured HDFS client; `check` looks
    at the arguments first (a UsageError before any connection)."""

    def run(args: argparse.Namespace) -> int:
        from mr.clients.hdfs import client

        if check is not None:
            check(args)
        return command(client(), args)

    return run


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "hdfs",
        help="HDFS over WebHDFS: put, get, ls, cat, rm, mkdir, cache (globs as in hadoop fs)",
        description="HDFS over WebHDFS. The NameNode: MRKIT_WEBHDFS_URL, else the alias "
        "MRKIT_HDFS_ALIAS of ~/.hdfscli.cfg (HDFSCLI_CONFIG), else the cluster of "
        "`mrkit cluster up`, else the default alias of ~/.hdfscli.cfg. Paths are HDFS paths "
        "(/a/b or hdfs:///a/b; relative ones are under /user/$USER). get, ls, cat and rm take "
        "Hadoop's globs: /out/part-*, /logs/2026/{01,02}/*, [0-9] (quote them from the shell).",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    def progress_arg(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--progress",
            choices=("auto", "always", "never"),
            default="auto",
            help="progress bar on stderr: auto = on a terminal for transfers of 8 MiB or more",
        )

    q = sub.add_parser(
        "put",
        help="upload files or directories (atomic: temporary name, renamed when complete)",
        description="Upload LOCAL... to HDFS_PATH (a directory receives them inside it). "
        "Each upload is written under a hidden temporary name and renamed when complete.",
    )
    q.add_argument("local", nargs="+", help="local files or directories")
    q.add_argument("path", help="HDFS destination (file, or directory to upload into)")
    q.add_argument("-f", "--overwrite", action="store_true", help="replace existing targets")
    progress_arg(q)
    q.set_defaults(func=with_client(cmd_put))

    q = sub.add_parser("get", help="download a file or directory", description="Download.")
    q.add_argument("path", help="HDFS file or directory")
    q.add_argument("local", nargs="?", default=".", help="local destination (default: .)")
    q.add_argument("-f", "--overwrite", action="store_true", help="replace an existing target")
    progress_arg(q)
    q.set_defaults(func=with_client(cmd_get))

    q = sub.add_parser(
        "ls",
        help="list a directory: type, size, modification time, path",
        description="List directories (or files): d|-, size in bytes, modified (UTC), path.",
    )
    q.add_argument("paths", nargs="*", default=["/"], help="HDFS paths (default: /)")
    q.add_argument("-R", "--recursive", action="store_true", help="list subdirectories too")
    q.set_defaults(func=with_client(cmd_ls))

    q = sub.add_parser("cat", help="write files to stdout", description="Write files to stdout.")
    q.add_argument("paths", nargs="+", help="HDFS files")
    q.set_defaults(func=with_client(cmd_cat))

    q = sub.add_parser("rm", help="delete files or directories", description="Delete paths.")
    q.add_argument("paths", nargs="+", help="HDFS paths")
    q.add_argument("-r", "-R", "--recursive", action="store_true", help="delete directories")
    q.add_argument("-f", "--force", action="store_true", help="no error for a missing path")
    q.set_defaults(func=with_client(cmd_rm))

    q = sub.add_parser(
        "mkdir", help="create directories (with parents)", description="Create directories."
    )
    q.add_argument("paths", nargs="+", help="HDFS paths")
    q.set_defaults(func=with_client(cmd_mkdir))

    q = sub.add_parser(
        "cache",
        help="list or prune the job files -r hadoop keeps on HDFS",
        description="The files -r hadoop uploads once per content (the job script, mrjob.zip, "
        "the mr package) and keeps in /user/<you>/.mrkit/files/<sha256>/: one line per content "
        "(bytes, last used in UTC, digest, names). A changed file is a new entry; the old one "
        "stays until pruned. Last used is when a job's containers last read it (HDFS keeps "
        "access times to the hour) or its upload, whichever is later.",
    )
    q.add_argument(
        "--prune",
        type=positive_days,
        metavar="DAYS",
        help="remove the entries unused for DAYS days or more (choose more days than any job "
        "runs: a running job's new containers read its files again)",
    )
    q.add_argument(
        "-n", "--dry-run", action="store_true", help="with --prune: list them, remove nothing"
    )
    q.set_defaults(func=with_client(cmd_cache, check_cache_args))
