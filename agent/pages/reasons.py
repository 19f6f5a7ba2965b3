"""A reason widget as a person uses it, inside any scope (the cancel dialog, the separate page's form).

Kinds: radios, a native select, a custom dropdown (role=combobox, or a plain listbox), a searchable select
(an input role=combobox). A custom dropdown is OPENED before it is read; its options are looked for where
they render — the listbox it names (aria-controls / aria-owns), a listbox inside the scope, or a popup at the
end of <body> — and a virtualised list is wheeled until no new option appears; then it is closed again.
Choosing clicks (or types into the search, then clicks) the option; the selection is read back from the
widget as shown (the checked radio's label, the select's option, the combobox's text or value), never from
what was clicked.
"""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Locator
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from agent.errors import ControlNotFound
from agent.pages.base import SLICE_MS, PageObject, Site

__all__ = ["ReasonWidget"]

KINDS = ("radio", "select", "searchable", "custom")
MAX_SCROLLS = 60  # wheel steps over a virtualised list (each waits for the list to move)
CLOSE_MS = 1_000  # how long a dropdown may take to close after Escape before it is clicked shut

# What a person reads as an element's name: its aria-labelledby texts, aria-label, <label>, else its text.
SHOWN = """el => {
  const text = e => (e.innerText || e.textContent || '').replace(/\\s+/g, ' ').trim();
  const by = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
    .map(id => document.getElementById(id)).filter(Boolean);
  if (by.length) return by.map(text).join(' ');
  if (el.getAttribute('aria-label')) return el.getAttribute('aria-label').trim();
  if (el.labels && el.labels.length) return Array.from(el.labels).map(text).join(' ');
  return text(el);
}"""
RADIOS = (
    "els => els.map(el => ({name: (" + SHOWN + ")(el),"
    " checked: el.checked === true || el.getAttribute('aria-checked') === 'true'}))"
)
# A field's nature: which kind of widget, is it open, which popup ids it names, what it shows.
FIELD = """el => {
  const input = el.tagName === 'INPUT' || el.tagName === 'TEXTAREA';
  const select = el.tagName === 'SELECT';
  const listbox = (el.getAttribute('role') || '') === 'listbox';
  const kind = select ? 'select' : input ? 'searchable' : 'custom';
  const ids = ((el.getAttribute('aria-controls') || '') + ' ' + (el.getAttribute('aria-owns') || ''))
    .split(/\\s+/).filter(Boolean);
  let shown = '';
  if (select) shown = el.selectedIndex >= 0 && el.value !== '' ? el.options[el.selectedIndex].text : '';
  else if (input) shown = el.value;
  else if (!listbox) shown = el.innerText || el.textContent || '';
  else shown = Array.from(el.getElementsByTagName('*'))  // a plain listbox shows its choice as selected
    .filter(e => e.getAttribute('role') === 'option' && e.getAttribute('aria-selected') === 'true')
    .map(e => e.innerText || e.textContent).join(' ');
  const norm = t => t.replace(/\\s+/g, ' ').trim();
  const options = select ? Array.from(el.options).filter(o => o.value !== '' && !o.disabled) : [];
  return {kind, expanded: el.getAttribute('aria-expanded') === 'true', ids, listbox,
          shown: norm(shown), options: options.map(o => norm(o.text))};
}"""
OWNED = "el => (el.getAttribute('aria-owns') || '').split(/\\s+/).filter(Boolean)"
# The element that scrolls a list (itself, a descendant or a near ancestor), then its state or one step.
SCROLLER = """el => {
  const scrolls = e => e.scrollHeight > e.clientHeight + 1
    && /(auto|scroll)/.test(getComputedStyle(e).overflowY);
  const chain = [el, ...Array.from(el.getElementsByTagName('*')).slice(0, 200)];
  for (let p = el.parentElement, i = 0; p && i < 3; p = p.parentElement, i++) chain.push(p);
  return chain.find(scrolls) || null;
}"""
SCROLL = f"""el => {{ const s = ({SCROLLER})(el);
  if (!s) return {{top: 0, end: true}};
  return {{top: s.scrollTop, end: s.scrollTop + s.clientHeight >= s.scrollHeight - 1}}; }}"""
MOVED = f"""([el, top]) => {{ const s = ({SCROLLER})(el); return !s || s.scrollTop !== top; }}"""
STEP = f"""([el, dy]) => {{ const s = ({SCROLLER})(el); if (s) s.scrollTop += dy; }}"""


class ReasonWidget(PageObject):
    """The reason widget inside `scope` (None: the whole page)."""

    KEYS = (
        "reasons.group",
        "reasons.radio",
        "reasons.field",
        "reasons.popup_by_id",
        "reasons.listbox",
        "reasons.option",
        "reasons.option_named",
        "reasons.radio_named",
    )

    def __init__(self, site: Site, scope: Locator | None = None) -> None:
        super().__init__(site)
        self.scope = scope
        self._kind: str | None = None  # what the widget is does not change: told once, reads stay live
        self._radios_in: tuple[Locator | None] | None = None

    # -- what it is ---------------------------------------------------------------------------------
    def kind(self) -> str:
        """ "radio", "select", "searchable" or "custom"."""
        if self._kind is None:
            _, radios = self.counted("reasons.radio", self._radio_scope())
            self._kind = "radio" if radios else str(self._field_state()["kind"])
        return self._kind

    def _radio_scope(self) -> Locator | None:
        """The radio group named like the reason (other radios are not reasons), else the scope."""
        if self._radios_in is None:
            group, count = self.counted("reasons.group", self.scope)
            self._radios_in = (group if count == 1 else self.scope,)
        return self._radios_in[0]

    def field(self) -> Locator:
        """The one visible reason control that is not a radio group (select, combobox, search input)."""
        return self.find("reasons.field", self.scope, timeout_ms=0)

    def _field_state(self, field: Locator | None = None) -> dict[str, Any]:
        try:
            target = field if field is not None else self.field()
        except ControlNotFound as exc:
            raise ControlNotFound(
                "reasons.radio|reasons.field", tried=["radio buttons", *exc.tried], evidence=exc.evidence
            ) from exc
        state: dict[str, Any] = target.evaluate(FIELD)
        return state

    # -- reading ------------------------------------------------------------------------------------
    def offered(self) -> list[str]:
        """Every reason offered, in the widget's order, as a person reads it."""
        if self.kind() == "radio":
            return [r["name"] for r in self._radios() if r["name"]]
        field = self.field()
        state = self._field_state(field)
        if state["kind"] == "select":
            return [t for t in state["options"] if t and not self.matches_wording(t, "select_reason")]
        listbox, opened = self._open(field, state)
        try:
            return self._read_all(listbox)
        finally:
            if opened:
                self._close(field, listbox)

    def selected(self) -> str | None:
        """The chosen reason as the widget shows it; None when nothing is chosen."""
        if self.kind() == "radio":
            chosen = [r["name"] for r in self._radios() if r["checked"]]
            return chosen[0] if len(chosen) == 1 and chosen[0] else None
        shown = str(self._field_state()["shown"])
        if not shown or self.matches_wording(shown, "select_reason"):
            return None
        return shown

    def _radios(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.finder.evaluate_all("reasons.radio", RADIOS, self._radio_scope())
        return found

    # -- choosing -----------------------------------------------------------------------------------
    def choose(self, text: str) -> None:
        """Choose the offered reason whose text is exactly `text`, the way a person does."""
        if self.kind() == "radio":
            self.click(self.find("reasons.radio_named", self._radio_scope(), timeout_ms=0, reason=text))
            return
        field = self.field()
        state = self._field_state(field)
        if state["kind"] == "select":
            field.select_option(label=text)
            return
        searched = state["kind"] == "searchable"
        if searched:
            self.click(field)
            field.fill(text)  # the list filters (maybe asynchronously): the option is waited for below
        state = self._field_state(field)
        listbox, _ = self._open(field, state)
        self.click(self._scroll_to(listbox, text, wait=searched))
        if not state["listbox"] and self._is_open(field, listbox):  # a plain listbox stays as it is
            self._close(field, listbox)

    # -- a custom dropdown's popup ------------------------------------------------------------------
    def _open(self, field: Locator, state: dict[str, Any]) -> tuple[Locator, bool]:
        """The list of options, opening the dropdown first when it is closed; (listbox, opened by us)."""
        if state["listbox"]:
            return field, False  # a plain listbox: its options are there already
        found = self._listbox(state) if state["expanded"] else None
        if found is not None:
            return found, False
        self.click(field)
        listbox = self._wait_listbox(field)
        self._wait_options(listbox)
        return listbox, True

    def _wait_options(self, listbox: Locator) -> None:
        """A list that opened empty may still be loading its options: wait until one is shown."""
        if not any(self.loc("reasons.option", scope).count() for scope in self._scopes(listbox)):
            self.finder.wait_for("reasons.option", listbox, timeout_ms=self.site.timeout_ms)

    def _wait_listbox(self, field: Locator) -> Locator:
        deadline = time.monotonic() + self.site.timeout_ms / 1000
        while True:
            found = self._listbox(self._field_state(field))  # re-read: aria-controls may be set on open
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise ControlNotFound(
                    "reasons.listbox",
                    tried=["the listbox the combobox names", "a listbox in the form", "a popup on the page"],
                    evidence=[f"url={self.page.url}"],
                )
            self.finder.wait_for("reasons.listbox", timeout_ms=SLICE_MS)

    def _listbox(self, state: dict[str, Any]) -> Locator | None:
        """Where the open dropdown's options are: the element it names, else one visible listbox in the
        scope, else one visible listbox (a popup) anywhere on the page."""
        for ident in state["ids"]:
            named = self.loc("reasons.popup_by_id", id=ident)
            if named.count() == 1 and (named.is_visible() or self._owns_visible(named)):
                return named
        for scope in (self.scope, None):
            lists = self.loc("reasons.listbox", scope).filter(visible=True)
            if lists.count() == 1:
                return lists
        return None

    def _owns_visible(self, listbox: Locator) -> bool:
        """An empty list that owns its options elsewhere (aria-owns): is any of them on screen?"""
        return any(self.loc("reasons.popup_by_id", id=i).is_visible() for i in listbox.evaluate(OWNED))

    def _scopes(self, listbox: Locator) -> list[Locator]:
        """Where a list's options live: the list, and what it owns by aria-owns (anywhere on the page)."""
        owned = [self.loc("reasons.popup_by_id", id=ident) for ident in listbox.evaluate(OWNED)]
        return [listbox, *(o for o in owned if o.count() == 1)]

    def _options(self, listbox: Locator) -> list[str]:
        """The options rendered now, as shown (an owned element is an option itself or holds options)."""
        texts: list[str] = []
        for scope in self._scopes(listbox):
            found = self.loc("reasons.option", scope).evaluate_all(f"els => els.map({SHOWN})")
            texts += [str(t) for t in found] if found or scope is listbox else [str(scope.evaluate(SHOWN))]
        return [t for t in texts if t]

    def _read_all(self, listbox: Locator) -> list[str]:
        """Every option, wheeling a virtualised list until it is at its end and no new option appears."""
        seen: list[str] = []
        for _ in range(MAX_SCROLLS):
            new = [t for t in self._options(listbox) if t not in seen]
            seen += new
            if not self._wheel(listbox, down=True) and not new:
                break
        return seen

    def _scroll_to(self, listbox: Locator, text: str, wait: bool = False) -> Locator:
        """The option `text`, wheeling the list (down, then back up) until it is rendered; `wait`: first
        give a list that is still filtering the time to show it."""
        if wait:
            self.finder.wait_for("reasons.option_named", listbox, self.site.timeout_ms, {"reason": text})
        for down in (True, False):
            for _ in range(MAX_SCROLLS):
                for scope in self._scopes(listbox):
                    if self.loc("reasons.option_named", scope, reason=text).filter(visible=True).count():
                        return self.find("reasons.option_named", scope, timeout_ms=0, reason=text)
                if not self._wheel(listbox, down=down):
                    break
        # not rendered anywhere in the list: raises ControlNotFound listing the attempts
        return self.find("reasons.option_named", listbox, timeout_ms=0, reason=text)

    def _wheel(self, listbox: Locator, down: bool) -> bool:
        """One wheel step over the list (waiting until it has moved); False when it cannot move that way.
        If the wheel does not move it (the pointer lands on something else), the list is scrolled directly,
        as dragging its scrollbar would."""
        state = listbox.evaluate(SCROLL)
        if state["end"] if down else state["top"] <= 0:
            return False
        box = listbox.bounding_box()
        step = max((box or {"height": 120})["height"] * 0.8, 24) * (1 if down else -1)
        handle = listbox.element_handle()
        listbox.hover()
        self.page.mouse.wheel(0, step)
        try:
            self.page.wait_for_function(MOVED, arg=[handle, state["top"]], timeout=CLOSE_MS)
        except PlaywrightTimeoutError:
            listbox.evaluate(STEP, step)
            self.page.wait_for_function(MOVED, arg=[handle, state["top"]], timeout=CLOSE_MS)
        return True

    def _is_open(self, field: Locator, listbox: Locator) -> bool:
        return bool(self._field_state(field)["expanded"]) or listbox.is_visible()

    def _close(self, field: Locator, listbox: Locator) -> None:
        """Close the dropdown as a person does: Escape, else a click on its field."""
        field.press("Escape")
        try:
            listbox.wait_for(state="hidden", timeout=CLOSE_MS)
        except PlaywrightTimeoutError:
            self.click(field)
            listbox.wait_for(state="hidden", timeout=self.site.timeout_ms)
