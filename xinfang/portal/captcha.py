"""An offline image captcha, asked after repeated failures from one address (tracking, SMS codes).

django-simple-captcha's challenge and font, drawn here with Pillow, the answer
kept (hashed) in the portal session: nothing is fetched from a third party and
no table is needed (the package's app is not installed). Whether it is asked
depends only on the address's recent failures, never on the code, ID number
or phone typed, so it reveals nothing about them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from io import BytesIO

from django.conf import settings
from django.http import HttpResponse

from xinfang.core import clock
from xinfang.petitioners import crypto
from xinfang.portal import credentials, limits
from xinfang.portal.views import portal_view

SESSION = "portal_captcha"
WRONG = "图形验证码不正确，请重新输入"

WINDOW_SECONDS = 3600
VALID_MINUTES = 10


def after() -> int:
    """Failures from one address within the window before the captcha is asked."""
    return getattr(settings, "PORTAL_CAPTCHA_AFTER_FAILURES", 3)


def failed(request) -> None:
    """Count a failed attempt (wrong code, password or SMS code) from the request's address."""
    limits.hit("captcha-failures", limits.client_ip(request), limit=after(), seconds=WINDOW_SECONDS)


def needed(request) -> bool:
    return limits.count("captcha-failures", limits.client_ip(request)) >= after()


def passed(request, typed: str) -> bool:
    """The typed answer matches the challenge shown; each challenge is good for one try."""
    sent = request.session.pop(SESSION, None)
    if not sent or datetime.fromisoformat(sent["until"]) < clock.now():
        return False
    return credentials.same(crypto.hash_value((typed or "").strip().upper()), sent["digest"])


def _challenge() -> str:
    from captcha.helpers import random_char_challenge

    return random_char_challenge()[1].upper()


@portal_view
def image(request):
    """A new challenge for this session, as a PNG (asking again replaces the one before)."""
    answer = _challenge()
    until = clock.now() + timedelta(minutes=VALID_MINUTES)
    request.session[SESSION] = {"digest": crypto.hash_value(answer), "until": until.isoformat()}
    response = HttpResponse(_draw(answer), content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


def _draw(text: str) -> bytes:
    from captcha.conf import settings as captcha_settings
    from PIL import Image, ImageDraw, ImageFont

    font_path = captcha_settings.CAPTCHA_FONT_PATH
    font = ImageFont.truetype(font_path if isinstance(font_path, str) else font_path[0], 36)
    rng = random.SystemRandom()
    width, height = 40 * len(text) + 20, 60
    img = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(img)
    for _ in range(6):  # noise lines
        draw.line(
            [(rng.randrange(width), rng.randrange(height)), (rng.randrange(width), rng.randrange(height))],
            fill="#888888",
            width=1,
        )
    for i, ch in enumerate(text):
        glyph = Image.new("L", (44, 56), 0)
        ImageDraw.Draw(glyph).text((6, 4), ch, font=font, fill=255)
        glyph = glyph.rotate(rng.randrange(-25, 25), resample=Image.Resampling.BICUBIC)
        img.paste("#1a1a1a", (10 + 40 * i, 2), glyph)
    out = BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
