"""Client libraries for the servers mrkit talks to: HDFS over WebHDFS (hdfs.py) and the HBase
index over Thrift (hbase.py). Library code only: no argparse, no printing, no engine imports;
they find their servers through ``mr.lib.config``."""
