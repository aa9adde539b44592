import pytest

from mr.lib.index_schema import FAMILY, LENGTH, OFFSET, PATH, parse_column_spec


@pytest.mark.parametrize(
    "spec,columns",
    [
        (None, []),
        ("", []),
        ("f:count", [("f", "count")]),
        ("f:count, p:*", [("f", "count"), ("p", "*")]),
        (" f:a ,g_2:b:c", [("f", "a"), ("g_2", "b:c")]),
    ],
)
def test_parse_column_spec(spec, columns):
    assert parse_column_spec(spec) == columns


@pytest.mark.parametrize(
    "spec,entry",
    [
        ("nocolon", "nocolon"),
        (":q", ":q"),
        ("f:", "f:"),
        ("1f:q", "1f:q"),
        ("f:a,,g:b", ""),
        ("f-x:q", "f-x:q"),
    ],
)
def test_parse_column_spec_names_the_bad_entry(spec, entry):
    with pytest.raises(ValueError) as e:
        parse_column_spec(spec)
    assert e.value.args == (entry,)


def test_record_pointer_columns_share_one_family():
    assert {c.partition(":")[0] for c in (PATH, OFFSET, LENGTH)} == {FAMILY}
    assert (PATH, OFFSET, LENGTH) == ("r:path", "r:offset", "r:length")
