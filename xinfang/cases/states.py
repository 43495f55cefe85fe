"""Case states and the statutory vocabulary (codes and their Chinese labels).

Which action may start from which state, and where it leads, is declared
once per action in its spec (xinfang.cases.spec, beside each do_* function);
``python manage.py shell -c "from xinfang.cases.spec import specs; ..."`` or
docs/architecture.md shows the whole workflow.
"""

from django.db import models


class Channel(models.TextChoices):
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    PHONE = "phone", "来电"
    ONLINE = "online", "网上信访"
    MAILBOX = "mailbox", "领导信箱"
    REFERRED = "referred", "上级交办"


class Kind(models.TextChoices):
    SUGGESTION = "suggestion", "建议意见类"
    ACCUSATION = "accusation", "检举控告类"
    CLAIM = "claim", "申诉求决类"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "急"
    CRITICAL = "critical", "特急"


class Importance(models.TextChoices):
    NORMAL = "normal", "一般"
    IMPORTANT = "important", "重要"
    CRITICAL = "critical", "特别重要"


class Status(models.TextChoices):
    REGISTERED = "registered", "待交转办"
    FORWARDED = "forwarded", "已转送待签收"
    ASSIGNED = "assigned", "已交办待签收"
    TO_DECIDE = "to_decide", "待受理"
    HANDLING = "handling", "办理中"
    REPLIED = "replied", "已答复"
    REPORTED = "reported", "已报结待审核"
    CLOSED = "closed", "已办结"
    DECLINED = "declined", "不予受理"
    REFUSED = "refused", "不再受理"
    REDIRECTED = "redirected", "已导入法定途径"
    MERGED = "merged", "已并重复件"
    REVIEW_REQUESTED = "review_requested", "复查中"
    REVIEWED = "reviewed", "已复查"
    REEXAM_REQUESTED = "reexam_requested", "复核中"
    FINAL = "final", "已终结"


OPEN_STATES = frozenset(
    {
        Status.REGISTERED,
        Status.FORWARDED,
        Status.ASSIGNED,
        Status.TO_DECIDE,
        Status.HANDLING,
        Status.REPLIED,
        Status.REPORTED,
        Status.REVIEW_REQUESTED,
        Status.REVIEWED,
        Status.REEXAM_REQUESTED,
    }
)
ENDED_STATES = frozenset({Status.DECLINED, Status.REFUSED, Status.REDIRECTED, Status.MERGED, Status.FINAL})


class Action(models.TextChoices):
    REGISTER = "register", "登记"
    FORWARD = "forward", "转送"
    ASSIGN = "assign", "交办"
    MERGE_AS_REPEAT = "merge_as_repeat", "按重复件合并"
    SIGN_FOR = "sign_for", "签收"
    RETURN = "return", "退回"
    ACCEPT = "accept", "受理"
    DECLINE = "decline", "不予受理"
    REFUSE_FINAL = "refuse_final", "不再受理"
    REDIRECT = "redirect", "导入法定途径"
    ASSIGN_HANDLER = "assign_handler", "指定承办人"
    RECORD_STEP = "record_step", "记录办理过程"
    CO_REPORT = "co_report", "协办反馈"
    REQUEST_EXTENSION = "request_extension", "申请延期"
    APPROVE_EXTENSION = "approve_extension", "批准延期"
    REJECT_EXTENSION = "reject_extension", "不批准延期"
    START_HEARING = "start_hearing", "听证开始（期限中止）"
    END_HEARING = "end_hearing", "听证结束（期限恢复）"
    DRAFT_REPLY = "draft_reply", "拟写答复意见"
    REPLY = "reply", "签发答复意见"
    RECORD_DELIVERY = "record_delivery", "记录送达"
    EVALUATE = "evaluate", "评价"
    REPORT_BACK = "report_back", "报结"
    CONFIRM_CLOSURE = "confirm_closure", "审核办结"
    SEND_BACK = "send_back", "退回补办"
    CLOSE = "close", "办结"
    REQUEST_REVIEW = "request_review", "登记复查申请"
    REVIEW = "review", "作出复查意见"
    REQUEST_REEXAM = "request_reexam", "登记复核申请"
    REEXAMINE = "reexamine", "作出复核意见"
    FINALIZE = "finalize", "终结"
    ADD_ATTACHMENT = "add_attachment", "补充附件"


# Recorded in a case's history but not workflow transitions: they change no
# state and have their own service functions (do_register;
# cases.actions.do_add_attachments with permissions.can_attach). Every other
# action is declared with its states, rule and inputs in cases.spec, beside
# its do_* function.
RECORD_ONLY_ACTIONS = frozenset({Action.REGISTER, Action.ADD_ATTACHMENT})


class TrackedAction(models.TextChoices):
    """What the apps above cases record in a case's history (supervision, urging, instructions).

    Not workflow verbs: they change no state, have no action spec, and are
    recorded by those apps' own actions (``cases.actions.record_for_app``).
    Kept apart from ``Action`` so the workflow's completeness checks and the
    scale generator see only the workflow; ``CaseEvent.action`` accepts both.
    """

    SUPERVISION_OPEN = "supervision_open", "开展督办"
    SUPERVISION_REPORT = "supervision_report", "督办反馈"
    SUPERVISION_CONCLUDE = "supervision_conclude", "督办办结"
    SUPERVISION_CONTINUE = "supervision_continue", "继续督办"
    SUPERVISION_ESCALATE = "supervision_escalate", "提级督办"
    URGING_ISSUE = "urging_issue", "发出催办单"
    URGING_ANSWER = "urging_answer", "答复催办"
    URGING_WITHDRAW = "urging_withdraw", "撤回催办单"
    INSTRUCTION_RECORD = "instruction_record", "领导批示"
    INSTRUCTION_REPORT = "instruction_report", "报告批示落实情况"
    INSTRUCTION_CLOSE = "instruction_close", "批示办结"
    CARD_ISSUED = "card_issued", "记录问责（黄牌/红牌）"
    CARD_REVOKED = "card_revoked", "撤销问责记录"
    # Formal documents (xinfang.documents): issuing freezes the text and the 文号;
    # a correction is a new document that supersedes the old one.
    DOCUMENT_ISSUED = "document_issued", "印发文书"
    DOCUMENT_SUPERSEDED = "document_superseded", "更正文书"
    ARCHIVED = "archived", "生成归档卷宗"
    # A case that came in from a county's historical ledger (xinfang.ledgers).
    LEDGER_IMPORTED = "ledger_imported", "历史台账导入"


EVENT_ACTIONS = Action.choices + TrackedAction.choices


class RedirectChannel(models.TextChoices):
    LITIGATION = "litigation", "诉讼"
    ARBITRATION = "arbitration", "仲裁"
    ADMIN_REVIEW = "admin_review", "行政复议"
    PARTY_APPEAL = "party_appeal", "党员申诉"
    OTHER_STATUTORY = "other_statutory", "其他法定程序"


class StepKind(models.TextChoices):
    INVESTIGATION = "investigation", "调查核实"
    MEDIATION = "mediation", "调解"
    SETTLEMENT = "settlement", "和解协议"
    HEARING = "hearing", "听证"
    MEETING = "meeting", "约见面谈"
    OTHER = "other", "其他"


class ReplyDecision(models.TextChoices):
    SUPPORT = "support", "予以支持"
    EXPLAIN = "explain", "作出解释说明"
    NOT_SUPPORT = "not_support", "不予支持"


class ReviewDecision(models.TextChoices):
    UPHOLD = "uphold", "维持原处理意见"
    CHANGE = "change", "变更原处理意见"
    REVOKE = "revoke", "撤销原处理意见并责令重新处理"


class Evaluation(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class EvaluationSource(models.TextChoices):
    PETITIONER = "petitioner", "信访人评价"
    FOLLOW_UP = "follow_up", "回访记录"


class Notice(models.TextChoices):
    ACCEPTANCE = "acceptance", "受理告知书"
    DECLINE = "decline", "不予受理告知书"
    REFUSE_FINAL = "refuse_final", "不再受理告知书"
    REDIRECT = "redirect", "导入法定途径告知书"
    EXTENSION = "extension", "延期告知书"
    REPLY = "reply", "信访事项处理意见书"
    REVIEW = "review", "复查意见书"
    REEXAM = "reexam", "复核意见书"


class DeliveryMethod(models.TextChoices):
    IN_PERSON = "in_person", "直接送达"
    POST = "post", "邮寄送达"
    # The petitioner confirmed receipt themselves on the portal (or by the SMS link).
    ELECTRONIC = "electronic", "电子送达"
    # Refused by the addressee and left at their residence, before witnesses.
    LODGED = "lodged", "留置送达"
    # The addressee cannot be reached by any other method.
    PUBLIC_NOTICE = "public", "公告送达"
    SMS = "sms", "短信告知"
    PHONE = "phone", "电话告知"
    ONLINE = "online", "网上告知"
    OTHER = "other", "其他方式"


class ParticipantRole(models.TextChoices):
    REGISTERING = "registering", "登记单位"
    ROUTING = "routing", "交转办单位"
    COMPETENT = "competent", "有权处理机关"
    LEAD = "lead", "主办单位"
    CO = "co", "协办单位"
    REVIEWING = "reviewing", "复查机关"
    REEXAMINING = "reexamining", "复核机关"
    SUPERVISING = "supervising", "督办单位"
    REFERRING = "referring", "交办上级"
