"""mrkit: MapReduce streaming jobs in Python, with Hive and Pig twins and an HBase index."""

from mr.lib import stdlib_compat, stdlib_finder

__version__ = "0.1.0"

# mrjob 0.7.4 imports distutils and pipes, which Python 3.12 / 3.13 no longer have: the finder
# of their stand-ins, for a checkout on PYTHONPATH (an installed mrkit's .pth file put it there
# at start-up already), and mrjob's distutils past setuptools' copy, before anything imports it
stdlib_finder.install()
stdlib_compat.import_distutils_past_setuptools()
