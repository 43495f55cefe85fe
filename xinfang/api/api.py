"""The /api/v1/ NinjaAPI instance: token auth, JSON errors, bundled docs."""

from ninja import NinjaAPI

from xinfang.api import errors
from xinfang.api.auth import TokenAuth, docs_access
from xinfang.api.cards import router as cards_router
from xinfang.api.cases import router as cases_router
from xinfang.api.docs import BundledSwagger
from xinfang.api.notifications import router as notifications_router
from xinfang.api.petitioners import router as petitioners_router
from xinfang.api.stats import router as stats_router
from xinfang.api.supervision import router as supervision_router

DESCRIPTION = """信访业务管理系统的 JSON 接口。

* 认证：在请求头中加入 `Authorization: Bearer <令牌>`；令牌由管理员用
  `python manage.py create_api_token 用户名` 创建，只显示一次。
* 权限与界面完全一致：读取经过同一访问控制层，写入调用同一组办理操作。
  无权查看的信访件与不存在的一样返回 404。
* 错误一律为 JSON：`{"code": "...", "message": "中文说明", "field": ...}`。
  401 unauthenticated；403 not_allowed；404 not_found；409 invalid_transition / conflict；
  422 invalid / validation_error。
* 每个办理操作都可以带 `expected_version`（打开表单时的 `version`），
  若他人已先行更新则返回 409 conflict 且不做任何更改。
"""

api = NinjaAPI(
    title="信访业务管理系统接口",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api",
    docs=BundledSwagger(),
    docs_url="/docs",
    docs_decorator=docs_access,  # a staff login or a token, unless API_DOCS_PUBLIC
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", cases_router)
api.add_router("", petitioners_router)
api.add_router("", notifications_router)
api.add_router("", supervision_router)
api.add_router("", stats_router)
api.add_router("", cards_router)
