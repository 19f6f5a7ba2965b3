"""My Orders read through the list page's own JSON agrees with the screen, and refuses clearly."""

from __future__ import annotations

import pytest

from agent.errors import SiteError
from agent.flows.runtime import open_runtime
from agent.flows.session import ensure_logged_in
from agent.pages import OrderListApi, OrdersPage
from agent.store import Store
from tests.e2e.agent_support import make_config, preload_session

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("scenario", ["default", "pt_BR"])
def test_the_api_and_the_screen_agree(scenario, shop, shop_admin, browser, tmp_path):
    shop_admin.set_scenario(scenario)
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)
    with Store.open(cfg.storage.database) as store, open_runtime(cfg, store, "t", browser=browser) as rt:
        ensure_logged_in(rt)
        from_api = OrderListApi(rt.site).orders()
        screen = OrdersPage(rt.site).open()
        screen.load_all()
        on_screen = screen.statuses()

    assert [(o.order_id, o.status, o.status_text) for o in from_api] == [
        (o.order_id, o.status, o.status_text) for o in on_screen
    ]
    assert len(from_api) > 10  # more than one page
    assert all(o.status.value != "unknown" for o in from_api)


def test_a_refusing_api_raises_site_error_so_callers_read_the_screen(shop, shop_admin, browser, tmp_path):
    cfg = make_config(tmp_path, shop.base_url)
    preload_session(cfg, shop_admin)
    with Store.open(cfg.storage.database) as store, open_runtime(cfg, store, "t", browser=browser) as rt:
        ensure_logged_in(rt)
        shop_admin.faults(kind="error", path="order.list", count=1)
        with pytest.raises(SiteError, match="non-JSON"):
            OrderListApi(rt.site).orders()
