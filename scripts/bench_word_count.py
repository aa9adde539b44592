#!/usr/bin/env python3
"""Benchmark word count on real text, both tokenizers, side by side, at several sizes.

The text: The Collaborative International Dictionary of English (GCIDE, GPL), 40 MB of real
English, as Debian's ``dict-gcide`` package ships it: downloaded at benchmark time with
``apt-get download`` and unpacked in Python (never committed); ``--text zipf`` uses the generated
Zipf corpus of scripts/gen_corpus.py instead, ``--text FILE`` any file. Each size is the text
repeated and cut at a line end.

Contenders, each its own process, one after the other, output to a file; whole-process wall
time (interpreter start-up and writing the rows included):

  plain        the best single-process Python for the tokenizer's semantics: Counter over the
               tokens of 1 MiB batches of lines (whitespace: bytes.split(), Java's delimiters;
               regex: mr.lib.text.WORD_RE over the lowercased batch)
  coreutils    tr -s ' \\t\\r\\f' '\\n' | LC_ALL=C sort | uniq -c   (whitespace only: the moonshot)
  ours-local   python mr/word_count.py -r local --tokenizer T   (repo mrjob.conf: 2 cores)
  ours-inline  python mr/word_count.py -r inline --tokenizer T  (--inline)

Our rows must equal plain's exactly (exit 1 otherwise); coreutils' rows are compared and shown
but not required (its output format differs). Prints a table per size: the ratios to plain
(each the median of the runs' ratios to the plain run beside them, with their spread, and the
load average; target: ours-local <= 1.0x), then the scaling table (seconds by size) and the
load average before and after: the machine may be shared, so compare ratios from one run.

    .venv/bin/python scripts/bench_word_count.py                        # 10MB and 100MB
    .venv/bin/python scripts/bench_word_count.py --sizes 10MB,100MB,1GB --repeat 5
    .venv/bin/python scripts/bench_word_count.py --text zipf --sizes 200MB
"""

from __future__ import annotations

import argparse
import io
import lzma
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
import zlib
from collections import Counter
from pathlib import Path

from gen_common import parse_size

REPO = Path(__file__).resolve().parents[1]
TARGET = 1.0  # ours-local may take at most this times plain
TOKENIZERS = ("whitespace", "regex")
GCIDE_PACKAGE = "dict-gcide"
GCIDE_MEMBER = "./usr/share/dictd/gcide.dict.dz"


# ---- the single-process baselines (run in a child process: --plain TOKENIZER CORPUS OUT) ----


def plain_count(tokenizer: str, corpus: str, out: str) -> None:
    sys.path.insert(0, str(REPO))
    from mr.lib.text import JAVA_TOKEN_BYTES_RE, WORD_RE, hadoop_text

    counts: Counter[bytes] = Counter()
    with open(corpus, "rb") as f:
        while batch := f.readlines(1 << 20):
            data = b"".join(batch)
            if tokenizer == "whitespace":
                # bytes.split() also splits on \x0b, which Java keeps in a word
                counts.update(data.split() if b"\x0b" not in data else
                              JAVA_TOKEN_BYTES_RE.findall(data))  # fmt: skip
                continue
            try:
                texts = [data.decode("utf-8")]
            except UnicodeDecodeError:  # the regex tokenizer skips a line that is not UTF-8
                texts = [line.decode("utf-8") for line in batch if _utf8(line)]
            for text in texts:
                counts.update(w.encode("utf-8") for w in WORD_RE.findall(text.lower()))
    if tokenizer == "whitespace":  # tokens decoded as Hadoop's Text decodes them
        for word in [w for w in counts if not w.isascii()]:
            n = counts.pop(word)
            key = hadoop_text(word).encode("utf-8")
            counts[key] = counts.get(key, 0) + n
    with open(out, "wb") as f:
        f.write(b"".join(b"%s\t%d\n" % pair for pair in counts.items()))


def _utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# ---- the text ----


def gcide_text(cache_dir: Path) -> Path:
    """The GCIDE as plain text in cache_dir, downloaded from Debian's archive once."""
    text = cache_dir / "gcide.txt"
    if text.exists():
        return text
    if shutil.which("apt-get") is None:
        raise SystemExit("the real text comes from Debian's dict-gcide (apt-get download); "
                         "without apt-get, give --text zipf or --text FILE")  # fmt: skip
    work = cache_dir / "download"
    work.mkdir(parents=True, exist_ok=True)
    print(f"downloading {GCIDE_PACKAGE} (apt-get download) ...", flush=True)
    subprocess.run(["apt-get", "download", GCIDE_PACKAGE], cwd=work, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    deb = next(work.glob(f"{GCIDE_PACKAGE}_*.deb"))
    dictzip = _deb_member(deb.read_bytes(), GCIDE_MEMBER)
    # a .dict.dz is gzip (dictzip adds random-access data in an extra field)
    data = zlib.decompress(dictzip, wbits=31)
    tmp = text.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(text)
    shutil.rmtree(work)
    return text


def _deb_member(deb: bytes, member: str) -> bytes:
    """One file of a .deb: an ar archive whose data.tar.* holds the package's files."""
    if not deb.startswith(b"!<arch>\n"):
        raise SystemExit("not a Debian package (no ar header)")
    pos = 8
    while pos < len(deb):
        header = deb[pos : pos + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58])
        body = deb[pos + 60 : pos + 60 + size]
        pos += 60 + size + (size % 2)
        if name.startswith("data.tar"):
            raw = lzma.decompress(body) if name.endswith(".xz") else body
            mode = "r:gz" if name.endswith(".gz") else "r:"
            with tarfile.open(fileobj=io.BytesIO(raw), mode=mode) as tar:
                found = tar.extractfile(member)
                if found is None:
                    raise SystemExit(f"{member} is not in the package")
                return found.read()
    raise SystemExit("the package has no data.tar")


def zipf_text(cache_dir: Path) -> Path:
    path = cache_dir / "corpus-zipf-64MB.txt"
    if not path.exists():
        subprocess.run([sys.executable, str(REPO / "scripts" / "gen_corpus.py"), "--size", "64MB",
                        "--seed", "1", "-o", str(path)], check=True)  # fmt: skip
    return path


def sized_input(source: Path, size: int, cache_dir: Path) -> Path:
    """`source` repeated to `size` bytes, cut after the last whole line."""
    path = cache_dir / f"{source.stem}-{size}B.txt"
    if path.exists() and path.stat().st_size <= size:
        return path
    data = source.read_bytes()
    if not data.endswith(b"\n"):
        data += b"\n"
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        left = size
        while left > 0:
            piece = data[:left]
            if len(piece) < len(data):
                piece = piece[: piece.rfind(b"\n") + 1]
                if not piece:
                    break
            f.write(piece)
            left -= len(piece)
            if len(piece) < len(data):
                break
    tmp.replace(path)
    return path


# ---- running and checking ----


def timed(argv: list[str] | str, out: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    with open(out, "wb") as f:
        done = subprocess.run(argv, stdout=f, stderr=subprocess.PIPE, cwd=REPO, env=env,
                              shell=isinstance(argv, str))  # fmt: skip
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode("utf-8", "replace")[-3000:])
        raise SystemExit(f"{argv} failed with exit code {done.returncode}")
    return wall


def read_rows(path: Path, coreutils: bool = False) -> dict[bytes, int]:
    rows: dict[bytes, int] = {}
    with open(path, "rb") as f:
        for line in f:
            if coreutils:  # "   count word"
                count, _, word = line.strip(b" ").rstrip(b"\n").partition(b" ")
                if word:  # tr's empty lines (a delimiter at a line start)
                    rows[word] = int(count)
            else:
                word, _, count = line.rstrip(b"\n").rpartition(b"\t")
                rows[word] = int(count)
    return rows


def contenders(tokenizer: str, corpus: Path, outs: Path, inline: bool) -> list[tuple]:
    py = sys.executable
    plain_out = outs / f"plain-{tokenizer}.tsv"
    found = [("plain", [py, __file__, "--plain", tokenizer, str(corpus), str(plain_out)],
              plain_out)]  # fmt: skip
    if tokenizer == "whitespace":
        out = outs / "coreutils.out"
        pipeline = f"tr -s ' \\t\\r\\f' '\\n' < '{corpus}' | LC_ALL=C sort | LC_ALL=C uniq -c"
        found.append(("coreutils", pipeline, out))
    runners = ["local", "inline"] if inline else ["local"]
    for runner in runners:
        out = outs / f"ours-{runner}-{tokenizer}.tsv"
        found.append((f"ours-{runner}", [py, "mr/word_count.py", "-r", runner, "--tokenizer",
                                         tokenizer, str(corpus)], out))  # fmt: skip
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--text", default="gcide",
                        help="gcide (Debian's dict-gcide, default), zipf, or a file")  # fmt: skip
    parser.add_argument("--sizes", default="10MB,100MB",
                        help="input sizes, comma-separated (default 10MB,100MB)")  # fmt: skip
    parser.add_argument("--tokenizer", choices=TOKENIZERS, action="append",
                        help="only this tokenizer (repeatable; default both)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3,
                        help="alternating runs of each contender; the median is used "
                             "(default 3)")  # fmt: skip
    parser.add_argument("--inline", action="store_true", help="also time -r inline")
    parser.add_argument("--cache-dir", type=Path, default=REPO / ".cluster" / "bench",
                        help="where the text, the inputs and the outputs are kept "
                             "(default .cluster/bench)")  # fmt: skip
    parser.add_argument("--plain", nargs=3, metavar=("TOKENIZER", "CORPUS", "OUT"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args(argv)
    if args.plain:
        plain_count(*args.plain)
        return 0

    cache = args.cache_dir
    cache.mkdir(parents=True, exist_ok=True)
    outs = cache / "out"
    outs.mkdir(exist_ok=True)
    if args.text == "gcide":
        source = gcide_text(cache)
    elif args.text == "zipf":
        source = zipf_text(cache)
    else:
        source = Path(args.text)
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    tokenizers = args.tokenizer or list(TOKENIZERS)
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    print(f"text: {source} ({source.stat().st_size / 2**20:.1f} MiB), {os.cpu_count()} CPUs")
    load_before = os.getloadavg()

    ok = True
    scaling: dict[tuple[str, str], dict[int, float]] = {}
    for size in sizes:
        corpus = sized_input(source, size, cache)
        mib = corpus.stat().st_size / 2**20
        for tok in tokenizers:
            runs = contenders(tok, corpus, outs, args.inline)
            walls: dict[str, list[float]] = {name: [] for name, _, _ in runs}
            for _ in range(args.repeat):  # alternate, so every contender sees the same machine
                for name, cmd, out in runs:
                    walls[name].append(timed(cmd, out, env))
            expected = read_rows(runs[0][2])
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"\n{mib:.0f} MiB, --tokenizer {tok}: {len(expected):,} words, "
                  f"{sum(expected.values()):,} tokens; median of {args.repeat} alternating runs, "
                  f"load average {load} after them")  # fmt: skip
            print(f"  {'contender':<12} {'wall s':>8} {'vs plain':>9}  {'runs':<13}  rows")
            for name, _, out in runs:
                wall = statistics.median(walls[name])
                # each run's ratio to the plain run beside it: the spread
                paired = [w / p for w, p in zip(walls[name], walls["plain"], strict=True)]
                spread = f"{min(paired):.2f}-{max(paired):.2f}x"
                scaling.setdefault((tok, name), {})[size] = wall
                if name == "plain":
                    check = "(the reference)"
                else:
                    rows = read_rows(out, coreutils=name == "coreutils")
                    same = rows == expected
                    differ = sum(1 for w in expected.keys() | rows.keys()
                                 if expected.get(w) != rows.get(w))  # fmt: skip
                    check = "same as plain" if same else f"{differ} words differ"
                    if not same and name.startswith("ours"):
                        ok = False
                ratio = statistics.median(paired)
                mark = ""
                if name == "ours-local":
                    mark = f"  (target <= {TARGET:g}: {'met' if ratio <= TARGET else 'NOT met'})"
                print(f"  {name:<12} {wall:>8.2f} {ratio:>8.2f}x  {spread:<13}  {check}{mark}")

    load_after = os.getloadavg()
    print("\nscaling: wall seconds by input size (median of --repeat)")
    header = "".join(f"{parse_label(s):>10}" for s in sizes)
    print(f"  {'tokenizer':<11} {'contender':<12}{header}")
    for (tok, name), by_size in scaling.items():
        cells = "".join(f"{by_size.get(s, float('nan')):>10.2f}" for s in sizes)
        print(f"  {tok:<11} {name:<12}{cells}")
    print(f"\nload average before: {' '.join(f'{x:.2f}' for x in load_before)}")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in load_after)}")
    if not ok:
        print("ERROR: our rows differ from plain's", file=sys.stderr)
        return 1
    return 0


def parse_label(size: int) -> str:
    for unit, factor in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size}B"


if __name__ == "__main__":
    sys.exit(main())
