import pytest

from xinfang.devdata.flow import Flow


@pytest.fixture
def flow(cast):
    return Flow(cast)
