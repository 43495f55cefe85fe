"""我的接口令牌: a staff member's own API tokens, listed, and revoked one by one (audited)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from xinfang.api.models import ApiToken


@require_GET
def my_tokens(request):
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked", "-created_at")
    return render(request, "api/tokens.html", {"tokens": tokens})


@require_POST
def revoke_token(request, pk):
    # Only one's own: another person's token answers 404, exactly like a missing one.
    row = ApiToken.objects.filter(pk=pk, user=request.user).select_related("user").first()
    if row is None:
        raise Http404("接口令牌不存在")
    if row.revoke(by=request.user, request=request):
        messages.success(request, f"已吊销接口令牌 {row.prefix}…{('（' + row.name + '）') if row.name else ''}")
    else:
        messages.info(request, f"接口令牌 {row.prefix}… 此前已吊销")
    return redirect("api_tokens")
