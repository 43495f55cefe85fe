"""Helpers for tests: petitioners and cases made through the real actions."""

import itertools
from datetime import date, timedelta

from xinfang.cases.actions import Registration, do_register
from xinfang.cases.states import Channel, Kind
from xinfang.core import clock
from xinfang.core.idnumbers import check_digit
from xinfang.petitioners.services import register_petitioner

_seq = itertools.count(1)


def valid_id_number(region="330781", birth: str | None = None) -> str:
    """A distinct valid ID number each call: the sequence fills the 3-digit serial, then moves the birthday on."""
    n = next(_seq)
    if birth is None:
        birth = (date(1980, 1, 1) + timedelta(days=n // 1000)).strftime("%Y%m%d")
    first17 = f"{region}{birth}{n % 1000:03d}"
    return first17 + check_digit(first17)


def make_petitioner(actor, name="张三", **kwargs):
    kwargs.setdefault("id_number", valid_id_number())
    kwargs.setdefault("phones", [f"1381234{next(_seq) % 10000:04d}"])
    return register_petitioner(actor=actor, kind="person", name=name, **kwargs)


def register(actor, *, petitioners=None, received_at=None, kind=Kind.CLAIM, channel=Channel.VISIT, **kwargs):
    """Register a case at the actor's org with sensible defaults."""
    if petitioners is None:
        petitioners = [(make_petitioner(actor), True)]
    if "category" not in kwargs:
        # Registration requires one (the screen and the API alike): the dictionary's first subcategory.
        from xinfang.cases.models import Category

        kwargs["category"] = (
            Category.objects.filter(is_active=True, parent__isnull=False).order_by("parent__sort", "sort").first()
        )
    reg = Registration(
        channel=channel,
        received_at=received_at or clock.now() - timedelta(hours=1),
        kind=kind,
        summary=kwargs.pop("summary", "反映征地补偿款未发放"),
        content=kwargs.pop("content", "信访人反映其承包地被征收后补偿款至今未发放到位，请求依法支付。"),
        petitioners=petitioners,
        **kwargs,
    )
    return do_register(reg, actor=actor)


class Flow:
    """Drive one case through the real actions with the fixed cast (devdata.cast).

    Each step returns the refreshed case; steps are idempotent-free on
    purpose: call them in workflow order.
    """

    def __init__(self, cast):
        self.cast = cast

    def register(self, **kwargs):
        return register(self.cast.registrar, **kwargs)

    def assign(self, case, *, co=False, lead=None):
        from xinfang.cases.actions import do_assign

        c = self.cast
        return do_assign(case, actor=c.officer, lead_org=lead or c.dept, co_orgs=[c.dept2] if co else [])

    def forward(self, case, to=None):
        from xinfang.cases.actions import do_forward

        return do_forward(case, actor=self.cast.officer, to_org=to or self.cast.dept)

    def sign_for(self, case):
        from xinfang.cases.actions import do_sign_for

        return do_sign_for(case, actor=self.cast.dept_officer)

    def accept(self, case):
        from xinfang.cases.actions import do_accept

        return do_accept(case, actor=self.cast.dept_officer, handler=self.cast.handler)

    def reply(self, case, decision="not_support"):
        from xinfang.cases.actions import do_reply

        return do_reply(
            case,
            actor=self.cast.unit_head,
            request="请求支付征地补偿款",
            facts="经核查，补偿款已按标准核定",
            decision=decision,
            basis="《中华人民共和国土地管理法》第四十八条",
        )

    def deliver(self, case, notice="reply", when=None, actor=None):
        from xinfang.cases.actions import do_record_delivery

        return do_record_delivery(
            case,
            actor=actor or self.cast.dept_officer,
            notice=notice,
            method="in_person",
            delivered_at=when or clock.now(),
            recipient="张三",
        )

    def co_report(self, case):
        from xinfang.cases.actions import do_co_report

        return do_co_report(case, actor=self.cast.handler2, report="协办单位已核实相关情况")

    def report_back(self, case):
        from xinfang.cases.actions import do_report_back

        return do_report_back(case, actor=self.cast.handler)

    def request_review(self, case, received_on=None):
        from xinfang.cases.actions import do_request_review

        return do_request_review(case, actor=self.cast.officer, received_on=received_on)

    def review(self, case, decision="uphold"):
        from xinfang.cases.actions import do_review

        return do_review(case, actor=self.cast.officer, decision=decision, reasons="原处理意见认定事实清楚")

    def request_reexam(self, case, received_on=None):
        from xinfang.cases.actions import do_request_reexam

        return do_request_reexam(case, actor=self.cast.city_officer, received_on=received_on)

    def reexamine(self, case, decision="uphold"):
        from xinfang.cases.actions import do_reexamine

        return do_reexamine(case, actor=self.cast.city_officer, decision=decision, reasons="复查意见正确")

    # Composite states ------------------------------------------------------
    def handling(self, *, assign=True, co=False, **kwargs):
        case = self.register(**kwargs)
        case = self.assign(case, co=co) if assign else self.forward(case)
        case = self.sign_for(case)
        return self.accept(case)

    def replied(self, **kwargs):
        return self.reply(self.handling(**kwargs))

    def delivered(self, **kwargs):
        return self.deliver(self.replied(**kwargs))

    def closed(self, **kwargs):
        """A forwarded (not assigned) case, replied, delivered and closed by the competent org."""
        from xinfang.cases.actions import do_close

        kwargs.setdefault("assign", False)
        return do_close(self.delivered(**kwargs), actor=self.cast.handler)

    def reviewed(self, **kwargs):
        case = self.request_review(self.delivered(**kwargs))
        return self.review(case)

    def review_delivered(self, **kwargs):
        return self.deliver(self.reviewed(**kwargs), notice="review", actor=self.cast.officer)
