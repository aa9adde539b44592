"""Oozie workflows for mrkit jobs: build in Python, render to XML, import XML, validate offline.

    model.py     the workflow-app as dataclasses, and the fluent Workflow builder
    jobs.py      an mrjob job -> map-reduce streaming actions (one per step), load_hbase too
    twins.py     a Hive or Pig twin -> a shell action running `mrkit hive|pig run`
    render.py    model -> workflow.xml + job.properties (+ the files actions ship)
    parse.py     workflow.xml (schema 0.1 .. 1.0) -> model, unknown XML kept
    validate.py  Oozie's own XSDs (from oozie-client's jar) + graph.py's checks
    graph.py     dangling transitions, unreachable nodes, cycles, fork/join, ${parameters}
    problems.py  one problem found: file, line, node, rule, message (one line)
    examples.py  a pipeline to copy: ingest -> word count -> top N | Hive -> HBase index
    local.py     run a workflow on this machine with Oozie's semantics (no Oozie)
    el.py        the EL the local runner evaluates (${param}, wf:, fs:, operators)
    runs.py      the record of a run in Oozie's status words (run.json), for any engine
    draw.py      the workflow drawn with Graphviz, nodes coloured by a run

The Oozie server engine and REST runs build on the same model.
"""
