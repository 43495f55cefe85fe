"""The portal's pages: home and the error pages (submission, tracking and acting have their own modules)."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache


def portal_view(view):
    """A portal page: no staff login, never cached (it may show a petitioner's own data)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return login_not_required(never_cache(wrapped))


def page(request, template: str, context: dict | None = None, *, status: int = 200):
    ctx = {"portal_title": settings.PORTAL_TITLE, **(context or {})}
    return render(request, template, ctx, status=status)


@portal_view
def home(request):
    return page(request, "portal/home.html")


# --- error pages: the portal's own, with no link to the staff site ---------------------------


def _error(request, status: int, title: str, message: str):
    return page(request, "portal/error.html", {"title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "请求有误", "提交的内容无法处理，请返回上一页重新填写。")


def forbidden(request, exception=None):
    return _error(request, 403, "无法访问", "该页面不能访问。如果您是在填写表单时看到本页，请返回首页重新开始。")


def not_found(request, exception=None):
    return _error(request, 404, "页面不存在", "您要访问的页面不存在。")


def server_error(request):
    return _error(request, 500, "系统繁忙", "系统暂时无法处理您的请求，请稍后再试。您已填写的内容没有提交。")
