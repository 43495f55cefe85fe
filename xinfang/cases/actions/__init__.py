"""Every write to a case is one of these functions (DESIGN.md §6)."""

from xinfang.cases.actions.attachments import do_add_attachments  # noqa: F401
from xinfang.cases.actions.handling import (  # noqa: F401
    do_accept,
    do_approve_extension,
    do_assign_handler,
    do_close,
    do_co_report,
    do_confirm_closure,
    do_decline,
    do_draft_reply,
    do_end_hearing,
    do_evaluate,
    do_record_delivery,
    do_record_step,
    do_redirect,
    do_refuse_final,
    do_reject_extension,
    do_reply,
    do_report_back,
    do_request_extension,
    do_send_back,
    do_start_hearing,
    superior_government,
)
from xinfang.cases.actions.historical import History, do_import_historical  # noqa: F401
from xinfang.cases.actions.intake import Registration, Warning, do_register, intake_warnings  # noqa: F401
from xinfang.cases.actions.review import (  # noqa: F401
    do_finalize,
    do_reexamine,
    do_request_reexam,
    do_request_review,
    do_review,
    finalize_lapsed,
)
from xinfang.cases.actions.routing import (  # noqa: F401
    do_assign,
    do_forward,
    do_merge_as_repeat,
    do_return,
    do_sign_for,
)
from xinfang.cases.actions.tracked import record_for_app  # noqa: F401
