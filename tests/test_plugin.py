"""The pytest plugin (entry point pytest11 `buyer_agent`) as a user's suite sees it, run with pytester in
a separate pytest process: the shop with clock and fault control, the agent pointed at it, a recording
selected by the marker and replayed, the README's example test, and the marker registered (the run uses
--strict-markers)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

USER_SUITE = """
from agent.models import OrderStatus


def test_agent_on_the_shop(buyer_agent, buyer_agent_shop):
    buyer_agent_shop.advance(hours=2)  # the shop's clock
    buyer_agent_shop.faults(path="order.list", kind="slow", delay_ms=300, count=1)  # a slow answer
    orders = buyer_agent.orders(status=OrderStatus.AWAITING_PAYMENT)
    unpaid = [o for o in buyer_agent_shop.orders() if o["status"] == "awaiting_payment" and not o["deleted"]]
    assert sorted(o.order_id for o in orders) == sorted(o["order_id"] for o in unpaid)
    assert buyer_agent_shop.log(kind="cancel") == []

"""


def readme_example() -> str:
    """The ten-line example test of the README (it must keep working)."""
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Recorded fixture pages and the pytest plugin") :]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.e2e
def test_a_users_suite_runs_on_the_plugin_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_SUITE, test_readme=readme_example())
    result = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider", timeout=240)
    result.assert_outcomes(passed=2)


def test_the_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--markers", "-p", "no:cacheprovider", timeout=120)
    result.stdout.fnmatch_lines(["*@pytest.mark.buyer_agent_recording(name)*"])
    assert result.ret == 0
