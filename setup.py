"""Build hook: the repo's fixed top level goes into the wheel, and so does the finder of the
stand-ins for distutils and pipes, at the top of site-packages.

The twins (hive/, pig/), the engines' poms, the hadoop launcher, the KDC and the HBase gateway
(scripts/) and the default mrjob.conf stay at the top of the repo, where people look for them;
the wheel carries copies under mr/_bundle, where mr.lib.config.RESOURCE_ROOT points when mrkit
runs from an install rather than a checkout. mr/lib/stdlib_finder.py's site_files() (a copy of
that module under a name of its own, and the .pth file that installs its finder at start-up on
Python 3.12+) go beside the `mr` package, so that a script that imports mrjob without `mr`
finds the stand-ins too. Everything else is in setup.cfg.
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: what the CLI needs from the top level, relative to the repo root
BUNDLE = (
    "hive/*.q",
    "pig/*.pig",
    "scripts/*/pom.xml",
    "scripts/hadoop/bin/hadoop",
    "scripts/hbase/thrift_gateway.py",
    "scripts/kerberos/MrkitKdc.java",
    "mrjob.conf",
)
#: the finder of the stand-ins, whose site_files() go to the top of site-packages
STDLIB_FINDER = ROOT / "mr" / "lib" / "stdlib_finder.py"


def site_files() -> dict[str, str]:
    """mr/lib/stdlib_finder.py's site_files(), the module loaded from its file (it imports
    nothing of mr, and setup.py imports no part of the package it builds)."""
    spec = importlib.util.spec_from_file_location("_mrkit_stdlib_finder_build", STDLIB_FINDER)
    assert spec is not None and spec.loader is not None
    finder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(finder)
    return finder.site_files()


class BuildWithBundle(build_py):
    """build_py, then the BUNDLE files into <build>/mr/_bundle (modes kept: the launcher runs),
    and the stdlib finder's site files into <build>."""

    def run(self) -> None:
        super().run()
        for pattern in BUNDLE:
            for source in sorted(ROOT.glob(pattern)):
                target = Path(self.build_lib) / "mr" / "_bundle" / source.relative_to(ROOT)
                self.mkpath(str(target.parent))
                self.copy_file(str(source), str(target), preserve_mode=True)
        for name, text in site_files().items():
            (Path(self.build_lib) / name).write_text(text, encoding="utf-8")


setup(cmdclass={"build_py": BuildWithBundle})
