import pytest

from xinfang.env import ConfigError, env_bool, env_int, env_list, env_str


def test_it_reads_booleans_strictly(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ConfigError):
        env_bool("X_FLAG")


def test_it_fails_loudly_on_a_bad_integer(monkeypatch):
    monkeypatch.setenv("X_NUM", "12a")
    with pytest.raises(ConfigError, match="X_NUM"):
        env_int("X_NUM", 3)


def test_a_required_value_must_be_present(monkeypatch):
    monkeypatch.delenv("X_REQ", raising=False)
    with pytest.raises(ConfigError):
        env_str("X_REQ", required=True)


def test_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_list("X_LIST") == ["a", "b", "c"]
