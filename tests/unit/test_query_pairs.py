"""The buyer endpoints' query reader agrees with the standard library's on every query."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hypothesis import example, given
from hypothesis import strategies as st

from simgate.dialects.common.reading import query_pairs

# The characters that matter to a query's shape, and some that do not.
QUERY_TEXT = st.text(alphabet=st.sampled_from("ab=&%+;2F0 x\u00e9\x00"), max_size=40)


@given(QUERY_TEXT)
@example("apikey=abc&tzid=12")
@example("apikey=&tzid&&=x&a=b=c")
@example("service=vk%20x&country=7+1")
def test_query_pairs_read_as_parse_qsl_reads(query: str) -> None:
    assert query_pairs(query) == parse_qsl(query, keep_blank_values=True)
