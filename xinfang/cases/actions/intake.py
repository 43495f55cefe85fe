"""Registration (登记) and the warnings a clerk sees while registering."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from xinfang.cases import deadlines, events
from xinfang.cases.access import same_person_matters
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.inputs import TEXT_MAX
from xinfang.cases.models import Case, CaseOrg, CasePetitioner, Category
from xinfang.cases.routing_policy import lawful_recipient
from xinfang.cases.states import (
    OPEN_STATES,
    Action,
    Channel,
    Importance,
    Kind,
    ParticipantRole,
    Status,
    Urgency,
)
from xinfang.clock.models import Clock
from xinfang.core import clock
from xinfang.orgs.actors import Actor, as_actor
from xinfang.orgs.models import Org, OrgLevel, Role, User

MAX_REPRESENTATIVES = 5  # 条例 art 20(3)


@dataclass
class Registration:
    channel: str
    received_at: datetime
    kind: str
    summary: str
    content: str
    petitioners: list = field(default_factory=list)  # [(Petitioner, is_representative)]
    person_count: int = 1
    category: Category | None = None
    urgency: str = Urgency.NORMAL
    importance: str = Importance.NORMAL
    place_code: str = ""
    place_name: str = ""
    referring_org: Org | None = None
    referring_ref: str = ""
    leader_instruction: str = ""
    accused_name: str = ""
    accused_org: Org | None = None
    accused_user: User | None = None
    # Petitioners (ids, among ``petitioners``) who consented to be told the statutory
    # notices by SMS; recorded in the registration event (xinfang.notifications keeps the list).
    sms_consent: list[int] = field(default_factory=list)


@dataclass
class Warning:
    """A non-blocking warning at registration, and what the clerk may do about it.

    ``case_id``/``case_number`` only name a case the clerk may open;
    ``offers`` are the registration screen's buttons for it: "repeat"
    (register as a repeat of it), "merge" (register and merge into it, art
    19(3)), "decline" (register and 不予受理, art 19(3)), "refuse_final"
    (register and 不再受理, art 36(3)).
    """

    code: str
    message: str
    case_id: int | None = None
    case_number: str = ""
    offers: list[str] = field(default_factory=list)


# Accepted (or being handled) and within its statutory periods: another
# level must not accept the same matter again (条例 art 19(3)).
_ACCEPTED_OPEN = frozenset(
    {
        Status.TO_DECIDE,
        Status.HANDLING,
        Status.REPLIED,
        Status.REPORTED,
        Status.REVIEW_REQUESTED,
        Status.REVIEWED,
        Status.REEXAM_REQUESTED,
    }
)


def _at(hit) -> str:
    where = f"{hit.holder}（{hit.number}）" if hit.visible else hit.holder
    return f"{where}{hit.received_on:%Y年%m月%d日}收到的同一事项"


def intake_warnings(
    actor,
    *,
    petitioner_ids,
    category=None,
    place_code="",
    person_count=1,
    representatives=0,
    kind="",
    accused_org=None,
    accused_user=None,
) -> list[Warning]:
    """Non-blocking warnings: the same person's other matters (repeat, art 19(3), art 36(3)),
    an accusation the registering unit may not hold, art 20(3), skip-level."""
    warnings: list[Warning] = []
    org = actor.org
    if org is None:
        return warnings
    for hit in same_person_matters(actor, petitioner_ids):
        w = _matter_warning(hit, category)
        if w is not None:
            warnings.append(w)
    recipient = _accusation_recipient(org, kind, accused_org, accused_user)
    if recipient is not None:
        accused = accused_org or accused_user.org
        warnings.append(
            Warning(
                "accused_self",
                f"被反映的是本单位或本单位的上级（{accused.name}），本单位应当回避："
                f"登记后该件将直接转送{recipient.name}办理，本单位此后不能查看该件",
            )
        )
    if representatives > MAX_REPRESENTATIVES:
        warnings.append(
            Warning(
                "too_many_representatives",
                f"集体访推选代表{representatives}人，超过《信访工作条例》第二十条规定的{MAX_REPRESENTATIVES}人",
            )
        )
    if _skips_level(org, place_code):
        warnings.append(
            Warning(
                "skip_level",
                "问题属地在下级行政区域，属越级信访；可告知信访人向有权处理的机关提出，或交转办",
            )
        )
    return warnings


def _skips_level(org, place_code) -> bool:
    if not (place_code and org.level in (OrgLevel.CITY, OrgLevel.PROVINCE) and len(place_code) >= 6):
        return False
    county = place_code[:6]
    return not county.endswith("00") and not org.division_code.startswith(county)


def _matter_warning(hit, category) -> Warning | None:
    ref = {"case_id": hit.case_id, "case_number": hit.number}
    if hit.status in _ACCEPTED_OPEN and hit.below:
        offers = ["merge", "decline"] if hit.visible else ["decline"]
        return Warning(
            "accepted_below",
            f"该信访人在{_at(hit)}已受理或正在办理（{hit.status_label}），"
            "依《信访工作条例》第十九条第三款，本级不予受理"
            + ("，或按重复件并入该件" if hit.visible else "，请告知信访人等候该机关的处理意见"),
            offers=offers,
            **ref,
        )
    if not hit.same_matter(category):
        return None
    if hit.status == Status.FINAL:
        return Warning(
            "final",
            f"该信访人在{_at(hit)}已于{hit.ended_on:%Y年%m月%d日}终结；"
            "仍以同一事实和理由提出的，依《信访工作条例》第三十六条第三款不再受理",
            offers=["refuse_final"],
            **ref,
        )
    if hit.status == Status.CLOSED:
        window = f"，信访人可在{hit.window_until:%Y年%m月%d日}前请求复查" if hit.window_until else ""
        return Warning(
            "closed",
            f"该信访人在{_at(hit)}已于{hit.ended_on:%Y年%m月%d日}办结{window}；"
            "对处理意见不服的，应告知其请求复查，而非重新信访",
            **ref,
        )
    if hit.status in OPEN_STATES:
        return Warning(
            "repeat",
            f"该信访人在{_at(hit)}尚在办理（{hit.status_label}），可关联为重复信访",
            offers=["repeat"] if hit.visible else [],
            **ref,
        )
    return None


def _accusation_recipient(org, kind, accused_org, accused_user):
    """Where an accusation must go when the registering org may not hold it (None: it may)."""
    if kind != Kind.ACCUSATION or not (accused_org or accused_user):
        return None
    probe = Case(kind=kind, accused_org=accused_org, accused_user=accused_user)
    return lawful_recipient(probe, org)


def check_values(reg: Registration) -> None:
    """The refusals of a registration's channel, kind, petitioners, summary and time (every registration path)."""
    if reg.channel not in Channel.values:
        raise Invalid("来源渠道无效", field="channel")
    if reg.kind not in Kind.values:
        raise Invalid("信访性质无效", field="kind")
    if not reg.petitioners:
        raise Invalid("请至少选择一名信访人", field="petitioners")
    if not reg.summary.strip():
        raise Invalid("请填写内容摘要", field="summary")
    if reg.received_at > clock.now() + timedelta(minutes=5):
        raise Invalid("收件时间不能晚于当前时间", field="received_at")


def check_text(reg: Registration) -> None:
    """The refusals of a registration's content and category (every registration path)."""
    if not reg.content.strip():
        raise Invalid("请填写信访内容", field="content")
    if len(reg.content) > TEXT_MAX:
        raise Invalid(f"信访内容不能超过 {TEXT_MAX} 字（现为 {len(reg.content)} 字），请精简", field="content")
    if reg.category is None:
        raise Invalid("请选择内容分类", field="category")


def case_from_registration(reg: Registration, *, org, user, number: str, repeat_of=None) -> Case:
    """The unsaved case a registration at ``org`` makes: with a petition bureau for routing, else to decide.

    One construction for ``do_register`` and a ledger import's batch, so both make the same
    row; the caller adds the first clock's governing dates and inserts it.
    """
    is_bureau = org.is_petition_bureau
    persons = max(reg.person_count, len(reg.petitioners))
    return Case(
        number=number,
        channel=reg.channel,
        received_at=reg.received_at,
        kind=reg.kind,
        category=reg.category,
        urgency=reg.urgency,
        importance=reg.importance,
        summary=reg.summary.strip(),
        content=reg.content,
        person_count=persons,
        place_code=reg.place_code,
        place_name=reg.place_name,
        is_collective=persons >= settings.COLLECTIVE_VISIT_THRESHOLD,
        is_skip_level=_skips_level(org, reg.place_code),
        referring_org=reg.referring_org,
        referring_ref=reg.referring_ref,
        leader_instruction=reg.leader_instruction,
        accused_name=reg.accused_name,
        accused_org=reg.accused_org,
        accused_user=reg.accused_user,
        status=Status.REGISTERED if is_bureau else Status.TO_DECIDE,
        registered_org=org,
        registered_by=user,
        current_org=org,
        routing_org=org if is_bureau else None,
        competent_org=None if is_bureau else org,
        repeat_of=repeat_of,
    )


def do_register(reg: Registration, *, actor, repeat_of=None) -> Case:
    """Register a petition at the actor's org.

    A petition bureau registers for routing; any other (competent) org that
    receives a petition directly registers it and decides it itself (art 23).
    An accusation against the registering unit or a unit above it is
    forwarded at once to a body that may lawfully handle it (cases.routing_policy
    .lawful_recipient), so it is never stranded where nobody may act on it.
    """
    actor = as_actor(actor)
    if not actor.has_role(Role.REGISTRAR, Role.PETITION_OFFICER):
        raise NotAllowed("只有登记员或受理交办员可以登记信访件")
    org = actor.org
    if org is None:
        raise NotAllowed("您尚未分配所属机构，不能登记")
    check_values(reg)
    if reg.channel == Channel.REFERRED and reg.referring_org is None:
        raise Invalid("上级交办件须填写交办上级", field="referring_org")
    if reg.kind == Kind.ACCUSATION and not (reg.accused_name or reg.accused_org or reg.accused_user):
        raise Invalid("检举控告类须填写被反映人或单位", field="accused_name")
    from xinfang.petitioners.access import all_usable

    ids = [p.pk for p, _rep in reg.petitioners]
    if len(set(ids)) != len(ids):
        raise Invalid("同一信访人不能重复添加", field="petitioners")
    if not all_usable(actor.user, [p for p, _rep in reg.petitioners]):
        raise Invalid("所选信访人不存在或无权使用", field="petitioners")
    # The screen and the API refuse the same things: both come here.
    check_text(reg)

    from xinfang.cases.numbering import next_case_number

    is_bureau = org.is_petition_bureau
    received_day = clock.local_date(reg.received_at)
    representatives = sum(1 for _p, rep in reg.petitioners if rep)
    # The first clock is planned before anything is written, so the case row goes in once with
    # its due date (no update, no read-back of the deadline), and a rule set missing for this
    # org and day refuses the registration before it takes a number.
    clock_code = Clock.ROUTING if is_bureau else Clock.ACCEPTANCE
    cal = deadlines.calendar()
    rules = deadlines.rules_at(org, received_day, cal)
    first = deadlines.plan(
        clock_code, received_day, org=org, rules=rules, cal=cal, target_key=_registration_target_key(reg, rules)
    )
    # No savepoint inside a caller's transaction (the screen saves quick-created petitioners in
    # the same one): a registration that fails there fails the caller's whole transaction.
    with transaction.atomic(savepoint=False):
        case = case_from_registration(
            reg, org=org, user=actor.user, number=next_case_number(org, received_day.year), repeat_of=repeat_of
        )
        for name, value in deadlines.governing([first]).items():
            setattr(case, name, value)
        case.save(force_insert=True)
        people = CasePetitioner.objects.bulk_create(
            [CasePetitioner(case=case, petitioner=p, is_representative=rep) for p, rep in reg.petitioners]
        )
        roles = [ParticipantRole.REGISTERING, ParticipantRole.ROUTING if is_bureau else ParticipantRole.COMPETENT]
        # bulk_create skips CaseOrg.save, which sets case_open: set here (a new case is open).
        links = [CaseOrg(case=case, org=org, role=r, case_open=case.is_open) for r in roles]
        if reg.referring_org is not None:
            links.insert(
                0, CaseOrg(case=case, org=reg.referring_org, role=ParticipantRole.REFERRING, case_open=case.is_open)
            )
        CaseOrg.objects.bulk_create(links)
        deadlines.save_planned(case, [first])
        notes = []
        if representatives > MAX_REPRESENTATIVES:
            notes.append(f"代表{representatives}人，超过5人")
        events.start_chain(case)  # a new case: its first event needs no look-up of the chain's head
        try:
            events.record(
                case,
                Action.REGISTER,
                actor=actor,
                note="；".join(notes),
                data=_registration_data(reg, repeat_of),
            )
            recipient = lawful_recipient(case, org) if case.is_accusation else None
            if recipient is not None:
                _forward_away(case, org, recipient)
            else:
                case.__dict__[AS_REGISTERED] = {"participants": links, "case_petitioners": people, "deadlines": [first]}
        finally:
            events.forget_chain(case)
    return case


# The related rows a registration wrote, left on the case ``do_register`` returns (not on any case
# read from the database), so that the API's answer shows them without reading them back.
AS_REGISTERED = "_as_registered"


def as_registered(case, name: str) -> list | None:
    """The ``participants``, ``case_petitioners`` or ``deadlines`` this registration just wrote, else None."""
    rows = case.__dict__.get(AS_REGISTERED)
    return None if rows is None else list(rows[name])


def visible_to_registrar(actor, case) -> bool:
    """Whether ``actor``, who just registered ``case``, may see it (``scoped_cases``), without a query when sure.

    The registering org takes part in the case, so an actor whose scope holds their own org
    sees it, unless it is an accusation (the accused's exclusions, and recusal, which forwarded
    it away): those, and any other scope, ask the access layer.
    """
    from xinfang.cases.access import scoped_cases
    from xinfang.orgs.access import org_scope

    actor = as_actor(actor)
    user = actor.user if actor.is_staff_member else None
    if user is not None and case.kind != Kind.ACCUSATION and user.org_id == case.registered_org_id:
        scope = org_scope(user)
        if scope.everything or user.org_id in scope.org_ids:
            return True
    return scoped_cases(actor).filter(pk=case.pk).exists()


def _registration_data(reg: Registration, repeat_of) -> dict:
    data = {"channel": reg.channel, "repeat_of": repeat_of.number if repeat_of else ""}
    on_case = {p.pk for p, _rep in reg.petitioners}
    consent = sorted({int(pk) for pk in reg.sms_consent if int(pk) in on_case})
    if consent:
        data["sms_consent"] = consent
    return data


RECUSAL = Actor.system("检举控告回避转送")


def _forward_away(case, org, recipient) -> None:
    """转送 an accusation the registering unit may not hold to ``recipient`` (条例 art 30(3)).

    Done by the system as part of the registration, not by the clerk, who
    may not see the case afterwards; nothing is owed back to the registering
    unit and the case cannot be returned to it.
    """
    from xinfang.cases import documents

    today = clock.today()
    deadlines.meet(case, Clock.ROUTING if org.is_petition_bureau else Clock.ACCEPTANCE, clock.now())
    from_status = case.status
    case.status = Status.FORWARDED
    case.current_org = recipient
    case.competent_org = recipient
    case.routing_org = None  # not returnable to the accused
    case.is_assigned = False
    CaseOrg.objects.create(case=case, org=recipient, role=ParticipantRole.COMPETENT)
    deadlines.start(case, Clock.MISROUTING_OBJECTION, today, org=recipient)
    deadlines.start(case, Clock.ACCEPTANCE, today, org=recipient)
    note = f"被反映的是登记单位或其上级，按回避规定转送{recipient.name}"
    letter = documents.routing_letter(case, org, recipient, today, assign=False, note=note)
    deadlines.sync(case, save=False)
    case.version += 1
    case.save()
    events.record(
        case,
        Action.FORWARD,
        actor=RECUSAL,
        from_status=from_status,
        note=note,
        document=letter,
        data={"to": recipient.name, "co": [], "recusal": True},
    )


def _target_keys(urgency: str, leader_instruction: str) -> list[str]:
    label = dict(Urgency.choices).get(urgency, urgency)  # as Case.get_urgency_display() shows it
    keys = [f"urgency:{label}"]
    if leader_instruction:
        keys.append("leader_instruction")
    return keys


def _strictest(targets) -> str | None:
    # Working days are compared as calendar weeks; exact enough to rank 1/3/7-day targets.
    # In key order, as the rule set lists them: of two equally strict targets the first wins.
    targets = sorted(targets, key=lambda t: t.key)
    if not targets:
        return None
    return min(targets, key=lambda t: t.days * (7 / 5 if t.working else 1)).key


def _target_key(case, org, on) -> str | None:
    """The strictest local commitment that applies: a leader's 批示 never
    loosens an urgent case's own target (急 3 days beats 批示 7 days)."""
    from xinfang.clock.models import LocalTarget
    from xinfang.clock.rules import RuleNotFound, rule_set_for

    keys = _target_keys(case.urgency, case.leader_instruction)
    try:
        rule_set = rule_set_for(org, on)
    except RuleNotFound:  # the clock itself will refuse with the reason
        return keys[-1]
    return _strictest(LocalTarget.objects.filter(rule_set=rule_set, key__in=keys))


def _registration_target_key(reg: Registration, rules) -> str | None:
    """``_target_key`` for a case being registered, from the copy of its rules (no query)."""
    keys = _target_keys(reg.urgency, reg.leader_instruction)
    return _strictest([rules.targets[k] for k in keys if k in rules.targets])
