"""mrkit: MapReduce streaming jobs in Python, with Hive and Pig twins and an HBase index."""

from mr.lib import stdlib_compat

__version__ = "0.1.0"

# mrjob 0.7.4 imports distutils and pipes, which Python 3.12 / 3.13 no longer have: stand-ins,
# registered before anything imports mrjob (only where the standard library lacks them)
stdlib_compat.install()
