"""`record`: run a read-only flow against the configured site and store it as a recording.

    fixtures/<profile>/<name>/recording.har      the traffic (Playwright record_har, bodies embedded)
    fixtures/<profile>/<name>/screens/*.html     each screen the page objects read (rendered DOM)
    fixtures/<profile>/<name>/manifest.json      URLs, page objects, locale, date, version, flow, result

Safety, in this order: the login happens before and outside the recording (the recording context starts
from the saved session, so no password is ever typed into it); every non-read request is blocked
(`ReadOnlyGuard`) and fails the recording; a cancel runs only as a dry run (agent.recording.flows).
Everything is captured into a temporary folder, scrubbed into a second one, checked for leaks (the
password, the e-mail, cookie values, original order ids — in every encoding), and only then moved into
fixtures/.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import secrets as random_secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser

from agent import __version__
from agent.browser import BrowserSession
from agent.config import Config
from agent.errors import CredentialsMissing, RecordingLeak, UsageError
from agent.flows.runtime import open_runtime
from agent.flows.session import ensure_logged_in
from agent.locate import load_pack
from agent.recording import har as harlib
from agent.recording.camera import Camera, CameraFinder, Shot
from agent.recording.drift import baseline
from agent.recording.flows import run_flow
from agent.recording.guard import ReadOnlyGuard
from agent.recording.manifest import HAR_FILE, SCREENS_DIR, FlowParams, FlowResult, Manifest, Screen
from agent.recording.scrub import Scrubber, variants
from agent.store import Store

logger = logging.getLogger(__name__)
KEY_FILE = "recording.key"


@dataclass
class RecordSpec:
    name: str
    params: FlowParams
    out_root: Path = Path("fixtures")
    scenario: str = ""
    key: bytes | None = None  # None: this installation's key (state_dir/recording.key)
    secrets: list[str] = field(default_factory=list)  # the account's name, address … never to survive


@dataclass
class Captured:
    har: Path
    shots: list[Shot]
    result: FlowResult
    params: FlowParams


def record(config: Config, store: Store, spec: RecordSpec, browser: Browser | None = None) -> Path:
    """Record `spec.params.flow`; returns the recording folder (replaced if it existed)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", spec.name):
        raise UsageError(f"a recording name is letters, digits, '.', '_' or '-', not {spec.name!r}")
    cfg = config.model_copy(  # screens only: a recording holds what the pages loaded, replayed the same way
        update={
            "browser": config.browser.model_copy(update={"trace": "off"}),
            "api": config.api.model_copy(update={"enabled": False}),
        }
    )
    _log_in_first(cfg, store, browser)
    with tempfile.TemporaryDirectory(prefix="buyer-agent-rec-") as tmp:
        captured = capture(cfg, store, spec, Path(tmp) / "raw", browser)
        scrubber = make_scrubber(cfg, spec)
        staged = Path(tmp) / "staged"
        manifest = write_scrubbed(cfg, spec, captured, scrubber, staged)
        leaks = find_leaks(staged, scrubber)
        if leaks:
            raise RecordingLeak(f"the scrubbed recording still holds {len(leaks)} secret(s): {leaks[:3]}")
        with _browser(cfg, browser) as b:
            manifest.screens = baseline(b, load_pack(cfg.site.profile), staged, manifest)
        manifest.save(staged)
        return _publish(staged, spec.out_root / cfg.site.profile / spec.name)


def _log_in_first(config: Config, store: Store, browser: Browser | None) -> None:
    """Log in (or check the saved session) outside any recording."""
    with open_runtime(config, store, "record: login", browser=browser) as rt:
        ensure_logged_in(rt)


def capture(config: Config, store: Store, spec: RecordSpec, raw: Path, browser: Browser | None) -> Captured:
    raw.mkdir(parents=True)
    har = raw / HAR_FILE
    options = {"record_har": har}
    with open_runtime(config, store, f"record {spec.name}", browser=browser, context_options=options) as rt:
        guard = ReadOnlyGuard(rt.context)
        camera = Camera(rt.page, rt.pack)
        camera.install(rt.context)
        rt.site.finder = CameraFinder(rt.site.finder, camera)
        result, params = run_flow(rt, spec.params)
        guard.check()
    return Captured(har, list(camera.shots.values()), result, params)


def recording_key(config: Config) -> bytes:
    """This installation's id-mapping key (created once, readable by the owner only)."""
    path = Path(config.storage.state_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(random_secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def make_scrubber(config: Config, spec: RecordSpec) -> Scrubber:
    found = [config.account.email, *spec.secrets, *_session_values(config)]
    with contextlib.suppress(CredentialsMissing):  # no password configured: none can be recorded
        found.append(config.password())
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(config.site.base_url))
    return Scrubber(spec.key or recording_key(config), secrets=found, origin=origin)


def _session_values(config: Config) -> list[str]:
    """Cookie and storage values of the saved session (they travel in Cookie headers)."""
    session = BrowserSession(config.browser, config.storage.state_dir, config.storage.evidence_dir)
    path = session.state_path(config.account.email)
    if not path.exists():
        return []
    state = json.loads(path.read_text(encoding="utf-8"))
    values = [str(c.get("value", "")) for c in state.get("cookies", [])]
    for origin in state.get("origins", []):
        values += [str(item.get("value", "")) for item in origin.get("localStorage", [])]
    return [v for v in values if len(v) >= 8]


def write_scrubbed(
    config: Config, spec: RecordSpec, captured: Captured, scrubber: Scrubber, out: Path
) -> Manifest:
    raw_har = json.loads(captured.har.read_text(encoding="utf-8"))
    harlib.learn(raw_har, scrubber)
    for shot in captured.shots:
        scrubber.learn_text(shot.url)
    (out / SCREENS_DIR).mkdir(parents=True)
    clean = harlib.scrub_har(raw_har, scrubber)
    (out / HAR_FILE).write_text(
        json.dumps(clean, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    screens = [_write_screen(out, i, shot, scrubber) for i, shot in enumerate(captured.shots, 1)]
    params = captured.params.model_copy(
        update={
            "order_ids": [scrubber.map_id(i) for i in captured.params.order_ids],
            "search": scrubber.text(captured.params.search) if captured.params.search else None,
        }
    )
    manifest = Manifest(
        name=spec.name,
        profile=config.site.profile,
        base_url=scrubber.target_origin or config.site.base_url,
        locale=config.site.locale or load_pack(config.site.profile).meta.default_locale,
        scenario=spec.scenario,
        recorded_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        agent_version=__version__,
        params=params,
        result=FlowResult.model_validate(scrubber.json_value(captured.result.model_dump(mode="json"))),
        screens=screens,
    )
    manifest.save(out)
    return manifest


def _write_screen(out: Path, index: int, shot: Shot, scrubber: Scrubber) -> Screen:
    name = f"{SCREENS_DIR}/{index:02d}-{shot.page_object}.html"
    (out / name).write_text(scrubber.text(shot.html), encoding="utf-8")
    return Screen(file=name, url=scrubber.text(shot.url), page_object=shot.page_object)


def find_leaks(folder: Path, scrubber: Scrubber) -> list[str]:
    """Secrets (in any encoding) and original order ids still present anywhere in `folder`."""
    needles = {form: "secret" for s in scrubber.secrets for form in variants(s)}
    needles |= {original: "order id" for original in scrubber.ids}
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        for text in _texts_of(path):
            found += [f"{path.name}: {kind}" for form, kind in needles.items() if form in text]
    return found


def _texts_of(path: Path) -> Iterator[str]:
    """The file's text, and for a HAR each base64 body decoded too."""
    text = path.read_text(encoding="utf-8", errors="replace")
    yield text
    if path.suffix == ".har":
        for entry in harlib.entries(json.loads(text)):
            decoded = harlib.decoded_text(entry["response"].get("content", {}))
            if decoded is not None and entry["response"].get("content", {}).get("encoding") == "base64":
                yield decoded


@contextmanager
def _browser(config: Config, browser: Browser | None) -> Iterator[Browser]:
    if browser is not None:
        yield browser
        return
    with BrowserSession(config.browser, config.storage.state_dir, config.storage.evidence_dir) as session:
        yield session.browser


def _publish(staged: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(staged, target)
    logger.info("recording written to %s", target)
    return target
