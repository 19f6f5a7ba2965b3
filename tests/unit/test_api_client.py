"""agent.api's client and reads against the real shop app in-process (its TestClient plays the browser's
cookie jar): signing and rotation, every kind of the error table, the captcha cooldown across
processes, pacing and the per-account lock, and the reads' stopping rules. Waits are recorded, never
slept."""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from api_answers import list_order, list_page, reverse_line, reverse_page, skeleton
from mtop_steps import ShopTransport, TestClient

from agent.api import (
    AccountGate,
    ApiReader,
    Cooldown,
    check_cooldown,
    make_client,
    refund_amount,
    refund_state,
)
from agent.api.client import MtopClient
from agent.config import Config
from agent.errors import ApiRefused, CaptchaCooldown, NeedsHuman, SessionExpired
from agent.locate import load_pack
from agent.shop.server import create_app

pytestmark = pytest.mark.filterwarnings("ignore::starlette.exceptions.StarletteDeprecationWarning")
PACK = load_pack("aliexpress")
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def shop() -> Iterator[TestClient]:
    with TestClient(create_app(load_delay_ms=0), follow_redirects=False) as c:
        c.cookies.update(c.post("/__shop/sessions", json={}).json()["cookies"])
        yield c


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config.model_validate(
        {
            "site": {"base_url": "http://testserver"},
            "account": {"email": "buyer@example.com"},
            "storage": {"state_dir": str(tmp_path / "state")},
            "api": {"min_interval_ms": 0, "jitter_ms": 0},
        }
    )


@dataclasses.dataclass
class Rig:
    shop: TestClient
    transport: ShopTransport
    client: MtopClient
    reader: ApiReader
    slept: list[float]

    def fault(self, **rule: Any) -> None:
        assert self.shop.post("/__shop/mtop/faults", json=rule).status_code == 200

    def log(self, kind: str) -> list[dict[str, Any]]:
        return list(self.shop.get("/__shop/log", params={"kind": kind}).json())


def rig(shop: TestClient, config: Config) -> Rig:
    transport, slept = ShopTransport(shop), []
    client = dataclasses.replace(make_client(config, transport, time_zone="GMT-3"), sleep=slept.append)
    return Rig(shop, transport, client, ApiReader(client, PACK, "en"), slept)


@pytest.fixture
def r(shop: TestClient, config: Config) -> Rig:
    return rig(shop, config)


def test_every_read_agrees_with_the_shop(r: Rig) -> None:
    state = r.shop.get("/__shop/state").json()
    visible = [o["order_id"] for o in state["orders"] if not o["deleted"]]
    orders = r.reader.orders()
    assert [o.order_id for o in orders] == visible and len(visible) > 30
    assert all(o.status.value != "unknown" and o.total and o.placed_at for o in orders)
    assert r.transport.sent[0] == ("GET", "http://testserver/h5/mtop.aliexpress.trade.buyer.order.list/1.0/")
    assert {m for m, _ in r.transport.sent[2:]} == {"POST"}  # pages 2..N by POST
    assert [e["detail"]["code"] for e in r.log("mtop_fail")] == ["FAIL_SYS_TOKEN_EMPTY"]  # absorbed once
    assert r.log("api_list")[0]["detail"]["statusTab"] == "all"
    one = next(o for o in state["orders"] if o["status"] == "completed")
    detail = r.reader.detail(one["order_id"], NOW)
    assert (detail.order_id, detail.status.value) == (one["order_id"], "completed")
    assert r.log("api_detail")[-1]["detail"] == {"wrong_parameter": False, "source": "agent"}
    assert r.reader.counts()["all"] == len(visible)
    refunds = r.reader.refunds()
    refunded = {o["order_id"] for o in state["orders"] if o["refund"] == "refunded"}
    assert {k for k, lines in refunds.items() if refund_state(lines) == "completed"} == refunded
    assert all(refund_amount(lines) is not None for lines in refunds.values())


def test_filters_narrow_on_the_site(r: Rig) -> None:
    assert {o.status.value for o in r.reader.orders(tab="processing")} <= {
        "awaiting_shipment",
        "cancellation_requested",
    }
    assert len(r.reader.orders(time_option="6m")) < len(r.reader.orders(time_option="2y"))
    found = r.reader.orders(search="ugreen")
    assert found and all(o.store_name == "Ugreen Official Store" for o in found)
    sent = [e["detail"] for e in r.log("api_list") if e["detail"]["method"] == "GET"]
    assert [s["searchInput"] for s in sent][-1] == "ugreen"


def test_token_rounds_run_out(r: Rig) -> None:
    r.fault(code="FAIL_SYS_TOKEN_EXOIRED", count=0)
    with pytest.raises(ApiRefused) as caught:
        r.reader.orders()
    assert (caught.value.kind, caught.value.code) == ("token", "FAIL_SYS_TOKEN_EXOIRED")
    assert r.client.calls == 3  # api.token_rounds
    assert r.log("api_list") == []


@pytest.mark.parametrize(("limited", "outcome"), [(2, "read"), (3, "traffic")])
def test_traffic_backs_off_2s_doubling_at_most_3_tries(r: Rig, limited: int, outcome: str) -> None:
    r.client.calls  # noqa: B018 - nothing sent yet
    r.reader.counts()  # a token first
    r.fault(code="FAIL_SYS_TRAFFIC_LIMIT", api="order.list", count=limited)
    if outcome == "read":
        assert r.reader.orders()
        assert r.slept == [2.0, 4.0]
    else:
        with pytest.raises(ApiRefused) as caught:
            r.reader.orders()
        assert caught.value.kind == "traffic" and r.slept == [2.0, 4.0]


def test_traffic_back_off_is_capped(shop: TestClient, config: Config) -> None:
    api = config.api.model_copy(update={"traffic_backoff_ms": 40_000, "traffic_tries": 4})
    capped = rig(shop, config.model_copy(update={"api": api}))
    capped.reader.counts()
    capped.fault(code="FAIL_SYS_TRAFFIC_LIMIT", count=3)
    capped.reader.counts()
    assert capped.slept == [40.0, 60.0, 60.0]


def test_a_captcha_verdict_cools_the_account_down_for_every_process(
    r: Rig, shop: TestClient, config: Config
) -> None:
    r.reader.counts()
    r.fault(code="FAIL_SYS_USER_VALIDATE", count=1)
    with pytest.raises(CaptchaCooldown) as caught:
        r.reader.orders()
    assert isinstance(caught.value, NeedsHuman) and caught.value.exit_code == 3
    assert re.search(r"^needs a human: .*FAIL_SYS_USER_VALIDATE.* until \d\d:\d\d", str(caught.value))
    sent = len(r.transport.sent)
    assert r.slept == []  # never retried into it
    other = rig(shop, config)  # another process: same state folder, nothing in memory
    with pytest.raises(CaptchaCooldown):
        other.reader.orders()
    with pytest.raises(CaptchaCooldown):
        check_cooldown(config)  # what every entry point can call first
    assert len(r.transport.sent) == sent and other.transport.sent == []  # no call at all
    record = json.loads((config.storage.state_dir / "api-buyer_example_com.cooldown").read_text())
    until = dt.datetime.fromisoformat(record["until"])
    assert dt.timedelta(minutes=29) < until - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=30)
    later = Cooldown(
        config.storage.state_dir, config.account.email, now=lambda: until + dt.timedelta(seconds=1)
    )
    later.check()  # the cooldown has passed
    check_cooldown(config, now=lambda: until + dt.timedelta(seconds=1))


@pytest.mark.parametrize(
    ("code", "kind"),
    [("FAIL_SYS_ACCESS_DENIED", "denied"), ("UNKNOWN_FAIL_CODE", "other"), ("FAIL_BIZ_SOMETHING", "other")],
)
def test_denied_and_other_codes_are_refusals_with_the_code(r: Rig, code: str, kind: str) -> None:
    r.reader.counts()
    r.fault(code=code, api="order.list", count=1)
    with pytest.raises(ApiRefused) as caught:
        r.reader.orders()
    assert (caught.value.kind, caught.value.code) == (kind, code)
    assert code in str(caught.value)


def test_session_expiry_is_session_expired(r: Rig) -> None:
    r.reader.counts()
    r.fault(code="FAIL_SYS_SESSION_EXPIRED", count=1)
    with pytest.raises(SessionExpired):
        r.reader.orders()
    zeros = r.reader.counts()  # logged out now: still SUCCESS, all zeros — never a session probe
    assert set(zeros.values()) == {0}


def test_http_errors_and_bad_answers_are_refusals(r: Rig) -> None:
    r.shop.post("/__shop/faults", json={"path": "order.list", "kind": "error", "count": 1})
    with pytest.raises(ApiRefused) as caught:
        r.reader.orders()
    assert caught.value.kind == "http"
    with pytest.raises(ApiRefused) as unknown:
        r.reader.detail("1", NOW)
    assert (unknown.value.kind, unknown.value.code) == ("other", "FAIL_BIZ_ORDER_NOT_FOUND")
    assert r.log("api_detail")[-1]["order_id"] == "1"


class Scripted:
    """A transport answering hand-written envelopes in turn (the reference's shapes), for the stopping
    rules no well-behaved shop triggers."""

    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self.answers, self.sent = answers, []  # type: ignore[var-annotated]

    def send(self, method: str, url: str, query: Mapping[str, str], form: Mapping[str, str] | None,
             headers: Mapping[str, str], timeout_ms: int) -> tuple[int, str]:  # fmt: skip
        self.sent.append((method, dict(query), dict(form or {})))
        data = self.answers.pop(0)
        return 200, json.dumps({"api": query["api"], "v": "1.0", "ret": ["SUCCESS::调用成功"], "data": data})

    def cookie(self, name: str, url: str) -> str | None:
        return {"_m_h5_tk": "feedface_1", "aep_usuc_f": "region=BR&site=bra&b_locale=pt_BR"}.get(name)


def scripted(config: Config, answers: list[dict[str, Any]]) -> tuple[ApiReader, Scripted]:
    transport = Scripted(answers)
    return ApiReader(make_client(config, transport), PACK, "en"), transport


def test_has_more_with_no_new_ids_ends_the_read(config: Config) -> None:
    a, b = "8212313961591322", "8212313961591323"
    first = list_page([list_order(a), list_order(b)], shown=[a, b], has_more=True)
    again = list_page([list_order(int(b))], shown=[b], has_more=True, page_index=2, linkage="sig-2")
    reader, transport = scripted(config, [first, again])
    assert [o.order_id for o in reader.orders()] == [a, b]
    assert [m for m, _, _ in transport.sent] == ["GET", "POST"]
    get_data = json.loads(transport.sent[0][1]["data"])
    assert get_data["shipToCountry"] == "BR" and get_data["_lang"] == "pt_BR"  # regional defaults
    assert get_data["renderType"] == "init" and get_data["timeZone"] == "GMT+0"
    post = json.loads(transport.sent[1][2]["data"])
    assert json.loads(json.loads(post["params"])["linkage"])["signature"] == "sig-1"


def test_an_empty_page_is_an_error_not_the_end(config: Config) -> None:
    a = "8212313961591322"
    reader, _ = scripted(config, [list_page([list_order(a)], shown=[a], has_more=True), {}])
    with pytest.raises(ApiRefused, match="no components"):
        reader.orders()


def test_a_detail_skeleton_is_an_error_never_a_deleted_order(config: Config) -> None:
    reader, transport = scripted(config, [skeleton()])
    with pytest.raises(ApiRefused, match="skeleton"):
        reader.detail("8212313961591322", NOW)
    sent = json.loads(transport.sent[0][1]["data"])
    assert sent["tradeOrderId"] == "8212313961591322" and "orderId" not in sent
    assert sent["channel"] == "tracking"


def test_refunds_count_lines_against_total_not_pages(config: Config) -> None:
    a, b = "8212313961591322", "8212313961591323"
    done_1 = reverse_page(
        [[reverse_line(a, 4, line_id=1)], [reverse_line(b, 4, line_id=2)]], total=3, pages=0
    )
    done_2 = reverse_page([[reverse_line(b, 4, line_id=3)]], total=3, pages=0)
    running = reverse_page([], total=0, pages=0)
    reader, transport = scripted(config, [done_1, done_2, running])
    found = reader.refunds()
    assert {k: [x.order_line_id for x in v] for k, v in found.items()} == {a: ["1"], b: ["2", "3"]}
    assert [json.loads(f["data"])["pageNo"] for _, _, f in transport.sent] == [1, 2, 1]
    assert [json.loads(f["data"])["reverseStatus"] for _, _, f in transport.sent] == [4, 4, 2]
    assert json.loads(transport.sent[0][2]["data"])["shipTo"] == "BR"


def test_the_gate_paces_calls_and_holds_one_at_a_time(tmp_path: Path) -> None:
    now, slept = [1000.0], []

    def sleep(s: float) -> None:
        slept.append(round(s, 3))
        now[0] += s

    gate = AccountGate(tmp_path, "a@b", 400, 0, sleep=sleep, clock=lambda: now[0])
    with gate.slot(), open(gate.path, "a+") as other, pytest.raises(BlockingIOError):
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another process would have to wait
    now[0] += 0.1
    with gate.slot():
        pass
    assert slept == [0.3]
    second = AccountGate(tmp_path, "a@b", 400, 0, sleep=sleep, clock=lambda: now[0])  # another process
    with second.slot():
        pass
    assert slept == [0.3, 0.4]
    jittered = AccountGate(tmp_path, "a@b", 400, 200, sleep=sleep, clock=lambda: now[0])
    with jittered.slot():
        pass
    assert 0.4 <= slept[-1] <= 0.6


def test_a_captcha_stops_even_without_a_cooldown(shop: TestClient, config: Config) -> None:
    api = config.api.model_copy(update={"captcha_cooldown_minutes": 0})
    zero = rig(shop, config.model_copy(update={"api": api}))
    zero.reader.counts()
    zero.fault(code="FAIL_SYS_USER_VALIDATE", count=1)
    with pytest.raises(CaptchaCooldown):
        zero.reader.orders()
    assert zero.reader.orders()  # no cooldown configured: the next call may go
