"""Registration (登记) and the warnings a clerk sees while registering."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xinfang.cases import deadlines, events
from xinfang.cases.access import _accused_exclusion
from xinfang.cases.errors import Invalid, NotAllowed
from xinfang.cases.models import Case, CaseOrg, CasePetitioner
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
from xinfang.orgs.models import OrgLevel, Role

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
    category: object = None
    urgency: str = Urgency.NORMAL
    importance: str = Importance.NORMAL
    place_code: str = ""
    place_name: str = ""
    referring_org: object = None
    referring_ref: str = ""
    leader_instruction: str = ""
    accused_name: str = ""
    accused_org: object = None
    accused_user: object = None


@dataclass
class Warning:
    code: str
    message: str
    case_id: int | None = None
    case_number: str = ""


def _jurisdiction_path(org) -> str:
    # The government the registering body belongs to, and everything under it.
    return org.parent.path if org.parent_id else org.path


def intake_warnings(
    actor, *, petitioner_ids, category=None, place_code="", person_count=1, representatives=0
) -> list[Warning]:
    """Non-blocking warnings: repeats, art 19(3), art 20(3), skip-level."""
    warnings: list[Warning] = []
    org = actor.org
    if org is None:
        return warnings
    petitioner_ids = [int(p) for p in petitioner_ids if p]
    if petitioner_ids:
        nearby = (
            Case.objects.filter(case_petitioners__petitioner_id__in=petitioner_ids, status__in=OPEN_STATES)
            .filter(
                Q(current_org__path__startswith=_jurisdiction_path(org))
                | Q(competent_org__path__startswith=_jurisdiction_path(org))
            )
            .exclude(_accused_exclusion(actor))
            .select_related("competent_org", "category")
            .distinct()
            .order_by("-received_at")[:20]
        )
        for case in nearby:
            below = (
                case.competent_org_id
                and case.competent_org_id != org.pk
                and case.status in (Status.HANDLING, Status.REPLIED, Status.TO_DECIDE)
                and case.competent_org.depth > org.depth
                and case.competent_org.level != org.level
            )
            if below:
                warnings.append(
                    Warning(
                        "accepted_below",
                        f"该信访人的同一事项已由{case.competent_org.name}受理或正在办理（{case.number}），"
                        "依《信访工作条例》第十九条第三款，本级可不予受理，可按重复件合并",
                        case.pk,
                        case.number,
                    )
                )
            elif (
                category is None
                or case.category_id in (getattr(category, "pk", category),)
                or (
                    case.category
                    and case.category.parent_id == getattr(category, "parent_id", None)
                    and case.category.parent_id is not None
                )
            ):
                warnings.append(
                    Warning(
                        "repeat",
                        f"该信访人已有同类在办信访件（{case.number}，{case.get_status_display()}），可关联为重复信访",
                        case.pk,
                        case.number,
                    )
                )
    if representatives > MAX_REPRESENTATIVES:
        warnings.append(
            Warning(
                "too_many_representatives",
                f"集体访推选代表{representatives}人，超过《信访工作条例》第二十条规定的5人",
            )
        )
    if place_code and org.level in (OrgLevel.CITY, OrgLevel.PROVINCE) and len(place_code) >= 6:
        county = place_code[:6]
        if not county.endswith("00") and not org.division_code.startswith(county):
            warnings.append(
                Warning(
                    "skip_level",
                    "问题属地在下级行政区域，属越级信访；可告知信访人向有权处理的机关提出，或交转办",
                )
            )
    return warnings


def do_register(reg: Registration, *, actor, repeat_of=None) -> Case:
    """Register a petition at the actor's org.

    A petition bureau registers for routing; any other (competent) org that
    receives a petition directly registers it and decides it itself (art 23).
    """
    if not actor.has_role(Role.REGISTRAR, Role.PETITION_OFFICER):
        raise NotAllowed("只有登记员或受理交办员可以登记信访件")
    org = actor.org
    if org is None:
        raise NotAllowed("您尚未分配所属机构，不能登记")
    if reg.channel not in Channel.values:
        raise Invalid("来源渠道无效", field="channel")
    if reg.kind not in Kind.values:
        raise Invalid("信访性质无效", field="kind")
    if not reg.petitioners:
        raise Invalid("请至少选择一名信访人", field="petitioners")
    if not reg.summary.strip():
        raise Invalid("请填写内容摘要", field="summary")
    if reg.received_at > clock.now() + timezone.timedelta(minutes=5):
        raise Invalid("收件时间不能晚于当前时间", field="received_at")
    if reg.channel == Channel.REFERRED and reg.referring_org is None:
        raise Invalid("上级交办件须填写交办上级", field="referring_org")
    if reg.kind == Kind.ACCUSATION and not (reg.accused_name or reg.accused_org or reg.accused_user):
        raise Invalid("检举控告类须填写被反映人或单位", field="accused_name")
    from xinfang.petitioners.access import scoped_petitioners

    ids = [p.pk for p, _rep in reg.petitioners]
    if scoped_petitioners(actor).filter(pk__in=ids).count() != len(set(ids)):
        raise Invalid("所选信访人不存在或无权使用", field="petitioners")

    from xinfang.cases.numbering import next_case_number

    is_bureau = org.is_petition_bureau
    received_day = clock.local_date(reg.received_at)
    representatives = sum(1 for _p, rep in reg.petitioners if rep)
    with transaction.atomic():
        case = Case.objects.create(
            number=next_case_number(org, received_day.year),
            channel=reg.channel,
            received_at=reg.received_at,
            kind=reg.kind,
            category=reg.category,
            urgency=reg.urgency,
            importance=reg.importance,
            summary=reg.summary.strip(),
            content=reg.content,
            person_count=max(reg.person_count, len(reg.petitioners)),
            place_code=reg.place_code,
            place_name=reg.place_name,
            is_collective=max(reg.person_count, len(reg.petitioners)) >= settings.COLLECTIVE_VISIT_THRESHOLD,
            referring_org=reg.referring_org,
            referring_ref=reg.referring_ref,
            leader_instruction=reg.leader_instruction,
            accused_name=reg.accused_name,
            accused_org=reg.accused_org,
            accused_user=reg.accused_user,
            status=Status.REGISTERED if is_bureau else Status.TO_DECIDE,
            registered_org=org,
            registered_by=actor,
            current_org=org,
            routing_org=org if is_bureau else None,
            competent_org=None if is_bureau else org,
            repeat_of=repeat_of,
        )
        case.is_skip_level = any(
            w.code == "skip_level" for w in intake_warnings(actor, petitioner_ids=[], place_code=reg.place_code)
        )
        CasePetitioner.objects.bulk_create(
            [CasePetitioner(case=case, petitioner=p, is_representative=rep) for p, rep in reg.petitioners]
        )
        roles = [ParticipantRole.REGISTERING, ParticipantRole.ROUTING if is_bureau else ParticipantRole.COMPETENT]
        if reg.referring_org is not None:
            CaseOrg.objects.create(case=case, org=reg.referring_org, role=ParticipantRole.REFERRING)
        CaseOrg.objects.bulk_create([CaseOrg(case=case, org=org, role=r) for r in roles])
        clock_code = Clock.ROUTING if is_bureau else Clock.ACCEPTANCE
        deadlines.start(case, clock_code, received_day, org=org, target_key=_target_key(case, org, received_day))
        deadlines.sync(case, save=False)
        case.save()
        notes = []
        if representatives > MAX_REPRESENTATIVES:
            notes.append(f"代表{representatives}人，超过5人")
        events.record(
            case,
            Action.REGISTER,
            actor=actor,
            note="；".join(notes),
            data={"channel": reg.channel, "repeat_of": repeat_of.number if repeat_of else ""},
        )
    return case


def _target_key(case, org, on) -> str | None:
    """The strictest local commitment that applies: a leader's 批示 never
    loosens an urgent case's own target (急 3 days beats 批示 7 days)."""
    from xinfang.clock.models import LocalTarget
    from xinfang.clock.rules import RuleNotFound, rule_set_for

    keys = [f"urgency:{case.get_urgency_display()}"]
    if case.leader_instruction:
        keys.append("leader_instruction")
    try:
        rule_set = rule_set_for(org, on)
    except RuleNotFound:  # the clock itself will refuse with the reason
        return keys[-1]
    targets = list(LocalTarget.objects.filter(rule_set=rule_set, key__in=keys))
    if not targets:
        return None
    # Working days are compared as calendar weeks; exact enough to rank 1/3/7-day targets.
    return min(targets, key=lambda t: t.days * (7 / 5 if t.working else 1)).key
