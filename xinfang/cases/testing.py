"""Helpers for tests: petitioners and cases made through the real actions."""

import itertools
from datetime import timedelta

from django.utils import timezone

from xinfang.cases.actions import Registration, do_register
from xinfang.cases.states import Channel, Kind
from xinfang.core.idnumbers import check_digit
from xinfang.petitioners.services import register_petitioner

_seq = itertools.count(1)


def valid_id_number(region="330781", birth="19800101") -> str:
    n = next(_seq) % 1000
    first17 = f"{region}{birth}{n:03d}"
    return first17 + check_digit(first17)


def make_petitioner(actor, name="张三", **kwargs):
    kwargs.setdefault("id_number", valid_id_number())
    kwargs.setdefault("phones", [f"1381234{next(_seq) % 10000:04d}"])
    return register_petitioner(actor=actor, kind="person", name=name, **kwargs)


def register(actor, *, petitioners=None, received_at=None, kind=Kind.CLAIM, channel=Channel.VISIT, **kwargs):
    """Register a case at the actor's org with sensible defaults."""
    if petitioners is None:
        petitioners = [(make_petitioner(actor), True)]
    reg = Registration(
        channel=channel,
        received_at=received_at or timezone.now() - timedelta(hours=1),
        kind=kind,
        summary=kwargs.pop("summary", "反映征地补偿款未发放"),
        content=kwargs.pop("content", "信访人反映其承包地被征收后补偿款至今未发放到位，请求依法支付。"),
        petitioners=petitioners,
        **kwargs,
    )
    return do_register(reg, actor=actor)
