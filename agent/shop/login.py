"""Login pages: email-first (default) or classic, then the optional slider captcha and one-time code.

Steps live server-side in a PendingLogin keyed by the `_lp` cookie, so each step is a plain form post.
Nothing a browser does passes the captcha: only `POST /__shop/captcha/solve` (a human) does.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from agent.shop import i18n
from agent.shop.pages import LOGIN_PATH, SESSION_COOKIE, TICKET_COOKIE, render, shop
from agent.shop.seed import ACCOUNTS
from agent.shop.state import PendingLogin, ShopState

PENDING_COOKIE = "_lp"
DEFAULT_AFTER = "/p/order/index.html"


def safe_return(request: Request, url: str) -> str:
    """Only same-origin destinations (no open redirect)."""
    if not url:
        return DEFAULT_AFTER
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc and url.startswith("/") and not url.startswith("//"):
        return url
    if f"{parts.scheme}://{parts.netloc}" == f"{request.url.scheme}://{request.url.netloc}":
        return url
    return DEFAULT_AFTER


def _page(request: Request, pending: PendingLogin, error: str = "", status: int = 200) -> Response:
    state = shop(request)
    texts = i18n.LOGIN[state.switches.locale]
    response = render(
        request,
        "login.html",
        step=pending.step,
        email=pending.email,
        error=error,
        t=texts,
        classic=state.switches.login == "classic",
        return_url=pending.return_url,
        code_sent=texts["code_sent"].format(email=pending.email),
    )
    response.status_code = status
    response.set_cookie(PENDING_COOKIE, pending.pid, httponly=True, samesite="lax")
    return response


async def login_page(request: Request) -> Response:
    state = shop(request)
    pending = state.pending_login(None)  # a fresh GET starts over
    pending.return_url = request.query_params.get("return_url") or request.query_params.get("returnUrl", "")
    pending.step = "password" if state.switches.login == "classic" else "email"
    state.record("page", None, path=LOGIN_PATH, return_url=pending.return_url)
    return _page(request, pending)


async def login_submit(request: Request) -> Response:
    state = shop(request)
    pending = state.pending_login(request.cookies.get(PENDING_COOKIE))
    form = await request.form()
    field = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    if pending.step == "email" or (pending.step == "password" and "email" in field):
        pending.email = field.get("email", pending.email).strip()
    if pending.step == "email":
        state.record("login", None, step="email", email=pending.email)
        pending.step = "password"
        return _page(request, pending)
    if pending.step == "password":
        return _check_password(request, state, pending, field.get("password", ""))
    if pending.step == "captcha":
        return _after_captcha(request, state, pending)
    if pending.step == "otp":
        return _check_code(request, state, pending, field.get("code", "").strip())
    return _page(request, pending)


def _check_password(request: Request, state: ShopState, pending: PendingLogin, password: str) -> Response:
    ok = ACCOUNTS.get(pending.email.lower()) == password
    state.record("login", None, step="password", email=pending.email, ok=ok)
    if not ok:
        texts = i18n.LOGIN[state.switches.locale]
        return _page(request, pending, error=texts["wrong_password"])
    if state.switches.captcha and not state.captcha_solved:
        pending.step = "captcha"
        state.record("login", None, step="captcha", email=pending.email, ok=False, blocked=True)
        return _page(request, pending)
    return _after_captcha(request, state, pending)


def _after_captcha(request: Request, state: ShopState, pending: PendingLogin) -> Response:
    if state.switches.captcha and not state.captcha_solved:
        return _page(request, pending)  # still blocked: only the human (admin) can pass it
    if state.switches.otp:
        pending.step = "otp"
        state.new_otp()
        return _page(request, pending)
    return _finish(request, state, pending)


def _check_code(request: Request, state: ShopState, pending: PendingLogin, code: str) -> Response:
    ok = bool(code) and code == state.otp_code
    state.record("login", None, step="otp", email=pending.email, ok=ok)
    if not ok:
        return _page(request, pending, error=i18n.LOGIN[state.switches.locale]["wrong_code"])
    return _finish(request, state, pending)


def _finish(request: Request, state: ShopState, pending: PendingLogin) -> Response:
    session = state.new_session(pending.email)
    state.pending.pop(pending.pid, None)
    state.record("login", None, step="done", email=pending.email, ok=True)
    response = RedirectResponse(safe_return(request, pending.return_url), status_code=303)
    response.set_cookie(SESSION_COOKIE, session.token, httponly=True, samesite="lax")
    response.set_cookie(TICKET_COOKIE, session.token[:16], httponly=True, samesite="lax")
    response.delete_cookie(PENDING_COOKIE)
    return response


async def captcha_status(request: Request) -> Response:
    """Polled by the captcha step's JS: has the human solved it yet?"""
    return JSONResponse({"solved": shop(request).captcha_solved})


ROUTES = [
    Route(LOGIN_PATH, login_page, methods=["GET"]),
    Route(LOGIN_PATH, login_submit, methods=["POST"]),
    Route("/login/captcha-status", captcha_status),
]
