"""The workflow model's fluent API: chaining, the default kill node, forks, decisions."""

import pytest

from mr.workflow.model import (
    Action,
    Case,
    Decision,
    End,
    Fork,
    Fs,
    Join,
    Kill,
    Mkdir,
    Shell,
    Workflow,
    WorkflowError,
    step,
)


def fs(path):
    return Fs([Mkdir(path)])


def test_actions_chain_in_order_and_fail_to_the_kill_node():
    wf = Workflow("w").action("a", fs("/a")).action("b", fs("/b")).end()
    assert wf.start == "a"
    a, b = wf.node("a"), wf.node("b")
    assert isinstance(a, Action) and (a.ok, a.error) == ("b", "fail")
    assert isinstance(b, Action) and (b.ok, b.error) == ("end", "fail")
    assert isinstance(wf.node("fail"), Kill)
    # the end node is last, whatever was added when
    assert [n.name for n in wf.nodes] == ["fail", "a", "b", "end"]


def test_an_explicit_error_transition_and_retries():
    wf = Workflow("w").kill("oops", "it broke")
    wf.action("a", fs("/a"), error="oops", retry_max=3, retry_interval=2).end()
    a = wf.node("a")
    assert isinstance(a, Action)
    assert (a.error, a.retry_max, a.retry_interval) == ("oops", 3, 2)
    assert wf.node("fail") is None  # no default kill node unless an action needs it


def test_fork_runs_branches_in_sequence_and_joins():
    wf = Workflow("w").fork(
        "split", [[step("a1", fs("/a1")), step("a2", fs("/a2"))], [step("b", fs("/b"))]]
    )
    wf.action("after", fs("/after")).end()
    assert wf.node("split") == Fork("split", ["a1", "b"])
    assert [wf.node(n).ok for n in ("a1", "a2", "b")] == ["a2", "split-join", "split-join"]
    assert wf.node("split-join") == Join("split-join", "after")


def test_a_fork_needs_two_branches():
    with pytest.raises(WorkflowError, match="at least two branches"):
        Workflow("w").fork("f", [[step("a", fs("/a"))]])


def test_decision_without_default_goes_to_the_next_node():
    wf = Workflow("w").action("a", fs("/a"))
    wf.decision("d", {"${x eq 1}": "end"}).action("b", fs("/b")).end()
    assert wf.node("d") == Decision("d", [Case("end", "${x eq 1}")], "b")
    assert wf.node("a").ok == "d"


def test_decision_with_default_leaves_nothing_open():
    wf = Workflow("w").decision("d", {"${x}": "b"}, default="end")
    wf.action("b", fs("/b")).end()
    assert wf.start == "d" and wf.node("b").ok == "end"


def test_names_are_unique():
    wf = Workflow("w").action("a", fs("/a"))
    with pytest.raises(WorkflowError, match="a node named 'a' exists already"):
        wf.action("a", fs("/b"))


def test_successors_name_each_transition():
    wf = Workflow("w").action("a", Shell("true")).end()
    assert wf.successors(wf.node("a")) == [("ok", "end"), ("error", "fail")]
    assert wf.successors(End("end")) == []


def test_parameters_replace_by_name():
    wf = Workflow("w").param("x", "1").param("x", "2").param("y")
    assert [(p.name, p.value) for p in wf.parameters] == [("x", "2"), ("y", None)]
    assert wf.parameter_names() == {"x", "y"}


def test_global_settings_add_up():
    wf = Workflow("w").global_settings(name_node="${nameNode}", configuration={"a": "1"})
    wf.global_settings(resource_manager="${resourceManager}", configuration={"b": "2"})
    g = wf.global_
    assert (g.resource_manager, g.name_node) == ("${resourceManager}", "${nameNode}")
    assert g.configuration == {"a": "1", "b": "2"}


def test_twin_action_runs_mrkit():
    from mr.workflow.twins import twin_action

    a = twin_action("t", "pig", "top_n", input="/in", output="/out", variables={"N": "2"})
    assert isinstance(a.body, Shell) and a.body.exec == "mrkit"
    assert a.body.arguments == [
        "pig", "run", "top_n", "--cluster", "--input", "/in", "--output", "/out", "--overwrite",
        "--var", "N=2",
    ]  # fmt: skip
    with pytest.raises(WorkflowError, match="twin engine 'spark'"):
        twin_action("t", "spark", "x", input="/in", output="/out")
