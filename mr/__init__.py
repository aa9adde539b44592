"""mrkit: MapReduce streaming jobs in Python, with Hive and Pig twins and an HBase index."""

__version__ = "0.1.0"
