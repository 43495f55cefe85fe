"""Fixtures for the statistics tests: the case driver and a clock the tests move."""

import pytest

from xinfang.devdata.flow import Flow


@pytest.fixture
def flow(cast):
    return Flow(cast)
