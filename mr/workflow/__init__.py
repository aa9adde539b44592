"""Oozie workflows for mrkit jobs: build in Python, render, import, validate, run here or on Oozie.

    model.py     the workflow-app as dataclasses, and the fluent Workflow builder
    jobs.py      an mrjob job -> map-reduce streaming actions (one per step), load_hbase too
    twins.py     a Hive or Pig twin -> a shell action running `mrkit hive|pig run`
    render.py    model -> workflow.xml + job.properties (+ the files actions ship)
    parse.py     workflow.xml (schema 0.1 .. 1.0) -> model, unknown XML kept
    validate.py  Oozie's own XSDs (from oozie-client's jar) + graph.py's checks
    graph.py     dangling transitions, unreachable nodes, cycles, fork/join, ${parameters}
    problems.py  one problem found: file, line, node, rule, message (one line)
    examples.py  pipelines to copy: word_pipeline, and every_action (every action kind)
    local.py     run a workflow on this machine with Oozie's semantics (no Oozie)
    remote.py    run a workflow on an Oozie server: deploy to HDFS, submit, follow, kill
    el.py        the EL the local runner evaluates (${param}, wf:, fs:, operators)
    runs.py      the record of a run in Oozie's status words (run.json), for any engine
    draw.py      the workflow drawn with Graphviz, nodes coloured by a run

The Oozie server itself is mr/engines/oozie.py (`mrkit oozie up`); its REST API client is
mr/clients/oozie.py.
"""
