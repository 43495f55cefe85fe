"""Who may do what with supervision items, urging slips and instructions.

Each rule returns None when allowed, otherwise the reason in Chinese; the
actions raise it as ``NotAllowed`` and the case page hides the form, so the
page and the API refuse alike.
"""

from __future__ import annotations

from xinfang.cases.permissions import acts_for
from xinfang.cases.routing_policy import home_government
from xinfang.orgs.models import Org, OrgKind, OrgLevel, Role

R = Role
# Higher levels first: a smaller rank is a higher level.
LEVEL_RANK = {level: i for i, level in enumerate(OrgLevel.values)}

UNIT_ROLES = (R.PETITION_OFFICER, R.HANDLER, R.UNIT_HEAD)
SUPERVISING_ROLES = (R.SUPERVISOR, R.LEADER, R.PETITION_OFFICER, R.UNIT_HEAD)


def holder(case) -> Org:
    """The unit holding the case now: the competent (lead) unit once there is one, else where it is."""
    return case.competent_org or case.current_org


def _staff(actor) -> bool:
    return actor.is_staff_member and actor.is_active and actor.org_id is not None


def _in_unit(actor, org) -> bool:
    return org is not None and acts_for(actor, org)


def bureau_of(government: Org | None) -> Org | None:
    """The petition bureau working for ``government`` (its child of that kind)."""
    if government is None:
        return None
    if government.kind == OrgKind.PETITION_BUREAU:
        return government
    return Org.objects.filter(parent=government, kind=OrgKind.PETITION_BUREAU, is_active=True).order_by("pk").first()


def higher_bureau(org: Org) -> Org | None:
    """The petition bureau one level above ``org``'s government (提级督办)."""
    government = home_government(org)
    if government is None or government.parent_id is None:
        return None
    return bureau_of(government.parent)


# --- supervision -----------------------------------------------------------------------------


def open_supervision(actor, case) -> str | None:
    if not _staff(actor):
        return "只有工作人员可以开展督办"
    if not case.is_open:
        return "信访件已办结，不能再开展督办"
    unit = holder(case)
    bureau_above = (
        actor.org.kind == OrgKind.PETITION_BUREAU
        and actor.has_role(R.PETITION_OFFICER, R.UNIT_HEAD)
        and LEVEL_RANK[actor.org.level] <= LEVEL_RANK[unit.level]
    )
    if not (actor.has_role(R.SUPERVISOR, R.LEADER) or bureau_above):
        return "只有督查员、领导或同级以上信访部门可以开展督办"
    if _in_unit(actor, unit):
        return "该信访件由本单位办理，不能督办本单位"
    return None


def report_supervision(actor, item) -> str | None:
    if not item.is_open:
        return f"督办事项{item.get_status_display()}，不能再反馈"
    if not (_staff(actor) and _in_unit(actor, item.owed_by_org) and actor.has_role(*UNIT_ROLES)):
        return "只有被督办单位的受理交办员、承办人或单位负责人可以反馈督办情况"
    return None


def supervise(actor, item) -> str | None:
    """办结、继续督办、提级督办: the supervising side."""
    if not item.is_open:
        return f"督办事项{item.get_status_display()}"
    if not _staff(actor):
        return "只有督办单位可以办结、继续督办或提级督办"
    if actor.pk is not None and actor.pk == item.issued_by_id:
        return None
    if _in_unit(actor, item.issued_org) and actor.has_role(*SUPERVISING_ROLES):
        return None
    return "只有督办单位可以办结、继续督办或提级督办"


# --- urging -----------------------------------------------------------------------------------


def issue_urging(actor, case) -> str | None:
    if not _staff(actor):
        return "只有工作人员可以发出催办单"
    if not case.is_open:
        return "信访件已办结，不能再催办"
    if not actor.has_role(R.PETITION_OFFICER, R.SUPERVISOR):
        return "只有受理交办员或督查员可以发出催办单"
    if _in_unit(actor, holder(case)):
        return "该信访件由本单位办理，不能向本单位发出催办单"
    return None


def urge_co_unit(actor, case) -> str | None:
    """A lead unit urging its co-unit for the co-unit's feedback (协办反馈)."""
    if not _staff(actor):
        return "只有工作人员可以发出催办单"
    if not case.is_open:
        return "信访件已办结，不能再催办"
    if case.competent_org_id is None or not _in_unit(actor, case.competent_org):
        return "只有主办单位可以催促协办单位反馈"
    if not actor.has_role(*UNIT_ROLES):
        return "只有主办单位的受理交办员、承办人或单位负责人可以催促协办单位反馈"
    return None


def answer_urging(actor, slip) -> str | None:
    if not slip.is_open:
        return f"催办单{slip.get_status_display()}，不能再答复"
    if not (_staff(actor) and _in_unit(actor, slip.owed_by_org) and actor.has_role(*UNIT_ROLES)):
        return "只有被催办单位的受理交办员、承办人或单位负责人可以答复催办"
    return None


def withdraw_urging(actor, slip) -> str | None:
    if not slip.is_open:
        return f"催办单{slip.get_status_display()}，不能撤回"
    if _staff(actor) and (actor.pk == slip.issued_by_id or _in_unit(actor, slip.issued_org)):
        return None
    return "只有发出催办单的单位可以撤回"


# --- leader instructions ----------------------------------------------------------------------


def record_instruction(actor, case) -> str | None:
    if not _staff(actor) or not actor.has_role(R.LEADER):
        return "只有领导可以作出批示"
    if not case.is_open:
        return "信访件已办结，不能再作出批示"
    return None


def instruct_org(actor, org) -> str | None:
    """The instructed unit is the leader's own or one under it."""
    if org is None:
        return "请选择落实单位"
    if not org.is_within(actor.org):
        return "只能批示本级及下级单位落实"
    return None


def report_instruction(actor, instruction) -> str | None:
    if not instruction.is_open:
        return f"批示{instruction.get_status_display()}，不能再报告"
    if not _staff(actor):
        return "只有被批示单位可以报告落实情况"
    if actor.pk is not None and actor.pk == instruction.to_user_id:
        return None
    if _in_unit(actor, instruction.owed_by_org) and actor.has_role(*UNIT_ROLES):
        return None
    return "只有被批示单位的受理交办员、承办人、单位负责人或落实责任人可以报告落实情况"


def close_instruction(actor, instruction) -> str | None:
    if instruction.status == "closed":
        return "批示已办结"
    issuer = actor.pk == instruction.issued_by_id or _in_unit(actor, instruction.issued_org)
    if _staff(actor) and actor.has_role(R.LEADER) and issuer:
        return None
    return "只有作出批示的领导可以办结批示"
