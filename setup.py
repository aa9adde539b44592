"""Build hook: the repo's fixed top level goes into the wheel.

The twins (hive/, pig/), the engines' poms, the hadoop launcher and the HBase gateway
(scripts/) and the default mrjob.conf stay at the top of the repo, where people look for them;
the wheel carries copies under mr/_bundle, where mr.lib.config.RESOURCE_ROOT points when mrkit
runs from an install rather than a checkout. Everything else is in setup.cfg.
"""

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
    "mrjob.conf",
)


class BuildWithBundle(build_py):
    """build_py, then the BUNDLE files into <build>/mr/_bundle (modes kept: the launcher runs)."""

    def run(self) -> None:
        super().run()
        for pattern in BUNDLE:
            for source in sorted(ROOT.glob(pattern)):
                target = Path(self.build_lib) / "mr" / "_bundle" / source.relative_to(ROOT)
                self.mkpath(str(target.parent))
                self.copy_file(str(source), str(target), preserve_mode=True)


setup(cmdclass={"build_py": BuildWithBundle})
