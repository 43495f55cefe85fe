"""The text of the written notices the petitioner is owed.

Kept as plain text on the CaseEvent that produced it, so the record shows
exactly what was sent even after templates change. Formal DOCX/PDF output with
文号 comes with the documents slice of the roadmap.

Dates are local (a petition received at 07:30 Beijing time on 1 March is
dated 1 March, though its stored UTC time is on 29 February), and every
period a notice promises comes from the rule set in force at the org that
issues it (a province with another handling period prints its own).
"""

from datetime import date

from xinfang.clock.models import Clock
from xinfang.core import clock
from xinfang.core.numerals import chinese_number


def _d(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def _received(case) -> str:
    return _d(clock.local_date(case.received_at))


def _days(org, clock_code, day) -> str:
    """The rule's period at ``org`` for a period starting ``day``, in words: 六十日, 十五个工作日."""
    from xinfang.clock.rules import rule_for

    rule = rule_for(org, clock_code, day)
    return f"{chinese_number(rule.days)}{'个工作日' if rule.working else '日'}"


def _names(case) -> str:
    # In the order they were registered (the link's id), whatever order an index returns them in.
    names = [link.petitioner.name for link in sorted(case.case_petitioners.all(), key=lambda link: link.pk)]
    if not names:
        return "信访人"
    return "、".join(names[:3]) + ("等" if len(names) > 3 else "")


def _header(case, title: str) -> str:
    return f"{title}\n{case.number}\n\n{_names(case)}：\n"


def acceptance_notice(case, org, day) -> str:
    return _header(case, "信访事项受理告知书") + (
        f"　　你（们）于{_received(case)}提出的信访事项（{case.summary}），"
        f"经审查，符合受理条件，本机关决定予以受理，并将依法于受理之日起"
        f"{_days(case.competent_org or org, Clock.HANDLING, day)}内办结。\n\n"
        f"{org.name}\n{_d(day)}"
    )


def decline_notice(case, org, day, reason) -> str:
    return _header(case, "信访事项不予受理告知书") + (
        f"　　你（们）于{_received(case)}提出的信访事项（{case.summary}），"
        f"经审查，本机关决定不予受理。理由如下：\n　　{reason}\n\n{org.name}\n{_d(day)}"
    )


def redirect_notice(case, org, day, channel_label, note) -> str:
    return _header(case, "导入法定途径告知书") + (
        f"　　你（们）提出的信访事项（{case.summary}），依法应当通过{channel_label}途径解决。"
        f"请依照有关法律、行政法规规定的程序向有关机关提出。{note}\n\n{org.name}\n{_d(day)}"
    )


def routing_letter(case, from_org, to_org, day, *, assign: bool, note: str, co_orgs=()) -> str:
    title = "信访事项交办函" if assign else "信访事项转送函"
    verb = "交由你单位办理" if assign else "转送你单位依法处理"
    body = f"{to_org.name}：\n　　现将{_names(case)}反映的“{case.summary}”信访事项{verb}。"
    if assign:
        body += f"请于受理之日起{_days(to_org, Clock.HANDLING, day)}内办结，并将办理结果报送我单位。"
        if co_orgs:
            body += f"协办单位：{'、'.join(o.name for o in co_orgs)}，请协办单位将办理情况及时反馈主办单位。"
    if note:
        body += f"\n　　{note}"
    return f"{title}\n{case.number}\n\n{body}\n\n{from_org.name}\n{_d(day)}"


def extension_notice(case, org, day, days, reason, new_due) -> str:
    return _header(case, "信访事项延期办理告知书") + (
        f"　　你（们）的信访事项（{case.summary}）因{reason}，经批准，办理期限延长{days}日，"
        f"延长后的办理期限至{_d(new_due)}。\n\n{org.name}\n{_d(day)}"
    )


def _review_body(case) -> str:
    return case.review_org.name if case.review_org else "原办理机关的上一级机关"


def reply_opinion(case, org, day, *, request, facts, decision_label, basis) -> str:
    return _header(case, "信访事项处理意见书") + (
        f"　　一、信访请求\n　　{request}\n"
        f"　　二、事实和理由\n　　{facts}\n"
        f"　　三、处理意见\n　　{decision_label}。\n"
        f"　　四、依据\n　　{basis}\n"
        f"　　如对本处理意见不服，可以自收到本意见书之日起"
        f"{_days(case.competent_org or org, Clock.REVIEW_WINDOW, day)}内向{_review_body(case)}请求复查。\n\n"
        f"{org.name}\n{_d(day)}"
    )


def review_opinion(case, org, day, *, decision_label, reasons, redo: bool = False) -> str:
    nxt = case.reexam_org.name if case.reexam_org else "复查机关的上一级机关"
    original = case.competent_org.name if case.competent_org else "原办理机关"
    if redo:
        closing = f"　　由{original}重新办理，并依法书面答复你（们）。\n\n"
    else:
        closing = (
            f"　　如对本复查意见不服，可以自收到本意见书之日起"
            f"{_days(case.review_org or org, Clock.REEXAM_WINDOW, day)}内向{nxt}请求复核。\n\n"
        )
    return _header(case, "信访事项复查意见书") + (
        f"　　你（们）对{original}作出的处理意见不服，请求复查。"
        f"经复查，本机关决定：{decision_label}。\n　　理由：{reasons}\n" + closing + f"{org.name}\n{_d(day)}"
    )


def reexam_opinion(case, org, day, *, decision_label, reasons) -> str:
    return _header(case, "信访事项复核意见书") + (
        f"　　你（们）对复查意见不服，请求复核。经复核，本机关决定：{decision_label}。\n　　理由：{reasons}\n"
        f"　　本复核意见为最终意见。信访人仍以同一事实和理由提出信访的，各级机关不再受理。\n\n{org.name}\n{_d(day)}"
    )


def refuse_final_notice(case, org, day, reason) -> str:
    return _header(case, "信访事项不再受理告知书") + (
        f"　　你（们）于{_received(case)}提出的信访事项（{case.summary}），"
        f"经审查，本机关决定不再受理。理由如下：\n　　{reason}\n\n{org.name}\n{_d(day)}"
    )
