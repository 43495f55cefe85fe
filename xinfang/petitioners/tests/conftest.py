import pytest

from xinfang.petitioners.services import register_petitioner

# The published example in GB 11643-1999 (Beijing, Chaoyang, born 1949-12-31, female).
VECTOR_ID = "11010519491231002X"
VECTOR_ID_15 = "110105491231002"  # the same person's legacy 15-digit number


def _petitioner(actor, name="张三", **kwargs):
    kwargs.setdefault("kind", "person")
    return register_petitioner(actor=actor, name=name, **kwargs)


@pytest.fixture
def make_petitioner():
    """register_petitioner with defaults: ``make_petitioner(actor, name, **fields)``."""
    return _petitioner


@pytest.fixture
def ours(cast):
    """A petitioner registered by our county's bureau, with an ID number and a phone."""
    return _petitioner(
        cast.registrar, "李秀英", id_number=VECTOR_ID, phones=["138 1234 5678"], address="清河县东岗镇前村8号"
    )


@pytest.fixture
def theirs(cast):
    """A petitioner registered by the other county's bureau."""
    return _petitioner(cast.other_registrar, "王远山", id_number="110105194912310038", phones=["13900001111"])
