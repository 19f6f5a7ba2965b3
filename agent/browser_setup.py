"""Find (or install) a Chromium that Playwright can drive.

Resolution order (README): a browser configured in config; Playwright's own browser if installed;
`playwright install chromium` where it can download; a system Chromium/Chrome; on Debian as root,
`apt-get install -y chromium`.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from agent.errors import BrowserUnavailable

logger = logging.getLogger(__name__)

SYSTEM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags that keep Chromium quiet on a closed network and working as root in containers/CI.
QUIET_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]


def playwright_own_chromium(known_path: str | None = None) -> str | None:
    """Path of Playwright's downloaded Chromium, if it is on disk. Pass `known_path`
    (`playwright.chromium.executable_path`) when Playwright is already running: it can't start twice."""
    if known_path is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            known_path = p.chromium.executable_path
    return known_path if known_path and Path(known_path).exists() else None


def system_chromium() -> str | None:
    for name in SYSTEM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _try(cmd: list[str], timeout: int) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=timeout, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def resolve_chromium(
    configured: str | None = None, install: bool = False, playwright_path: str | None = None
) -> str | None:
    """The executable to launch, or None to let Playwright use its own. Raises when nothing works."""
    if configured:
        if Path(configured).exists():
            return configured
        raise BrowserUnavailable(f"browser.executable_path {configured!r} does not exist")
    if playwright_own_chromium(playwright_path):
        return None
    downloaded = install and _try([sys.executable, "-m", "playwright", "install", "chromium"], timeout=600)
    if downloaded and playwright_own_chromium():
        return None
    found = system_chromium()
    if found:
        return found
    if install and os.geteuid() == 0 and shutil.which("apt-get"):
        logger.info("installing Debian's chromium with apt-get")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env)
        found = system_chromium()
        if found:
            return found
    raise BrowserUnavailable(
        "no Chromium found: install one (e.g. `apt-get install chromium`) or set browser.executable_path"
    )


def launch_args(executable: str | None) -> list[str]:
    """Extra command-line flags: quiet always; --no-sandbox when running a system browser as root."""
    args = list(QUIET_ARGS)
    if executable and os.geteuid() == 0:
        args.insert(0, "--no-sandbox")
    return args
