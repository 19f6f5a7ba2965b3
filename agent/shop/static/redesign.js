/* redesigned=true: the action widgets (buttons, menus, modals, reason widgets, the cancel form's page) get
   hashed CSS-module class names (`Btn--primary--4f2a9c`) and lose every data-pl, as a site redesign does;
   page blocks (order rows, detail blocks) keep their names. Roles, labels and texts are untouched.
   Loaded in <head> (after the stylesheet): a MutationObserver renames every such class the moment it
   appears (before any other task can see it), and the stylesheet's rules are copied for the new names. */
(function () {
  'use strict';
  var ACTION = /^(comet-(btn|icon-btn|modal|dropdown|select|radio|alert|virtual|v2-)|cosmos-btn|cancel-|commet--|reverse-page|order-more-actions|order-more-wrap|order-status-reminder-link|order-retry|order-search-btn|login-submit|login-verify|dispute-submit)/;
  var WIDGET_TAGS = {BUTTON: 1, SELECT: 1, TEXTAREA: 1, INPUT: 1, OPTION: 1};
  var WIDGET_ROLES = /^(button|menu|menuitem|option|listbox|combobox|radio|radiogroup|dialog|alertdialog)$/;

  function hash(text) {
    var n = 5381;
    for (var i = 0; i < text.length; i++) n = ((n * 33) ^ text.charCodeAt(i)) >>> 0;
    return ('00000' + n.toString(36)).slice(-6);
  }
  function cap(s) { return s ? s.charAt(0).toUpperCase() + s.slice(1) : ''; }
  function hashed(cls) {
    var parts = cls.split(/-+/).filter(Boolean);
    if (parts[0] === 'comet' || parts[0] === 'cosmos' || parts[0] === 'commet') parts.shift();
    if (parts[0] === 'v2') parts.shift();
    var block = cap(parts.shift() || 'x');
    var elem = parts.map(function (p, i) { return i ? cap(p) : p; }).join('') || 'root';
    return block + '--' + elem + '--' + hash(cls);
  }

  function renameClasses(el) {
    var tokens = (el.getAttribute('class') || '').split(/\s+/).filter(Boolean);
    var changed = false;
    var out = tokens.map(function (c) {
      if (!ACTION.test(c)) return c;
      changed = true;
      return hashed(c);
    });
    if (changed) el.setAttribute('class', out.join(' '));
    return changed;
  }

  function redesign(el) {
    if (el.nodeType !== 1) return;
    var renamed = renameClasses(el);
    var role = el.getAttribute('role') || '';
    if (el.hasAttribute('data-pl') && (renamed || WIDGET_TAGS[el.tagName] || WIDGET_ROLES.test(role))) {
      el.removeAttribute('data-pl');
    }
  }

  function redesignTree(el) {
    if (el.nodeType !== 1) return;
    redesign(el);
    var all = el.getElementsByTagName('*');
    for (var i = 0; i < all.length; i++) redesign(all[i]);
  }

  function restyle() {
    Array.prototype.forEach.call(document.styleSheets, function (sheet) {
      var rules;
      try { rules = sheet.cssRules; } catch (e) { return; }
      var copies = [];
      Array.prototype.forEach.call(rules, function (rule) {
        if (!rule.selectorText) return;
        var sel = rule.selectorText.replace(/\.([A-Za-z0-9_-]+)/g, function (m, name) {
          return ACTION.test(name) ? '.' + hashed(name) : m;
        });
        if (sel !== rule.selectorText) copies.push(sel + ' { ' + rule.style.cssText + ' }');
      });
      copies.forEach(function (css) { sheet.insertRule(css, sheet.cssRules.length); });
    });
  }

  restyle();
  new MutationObserver(function (records) {
    records.forEach(function (r) {
      if (r.type === 'attributes') redesign(r.target);
      else Array.prototype.forEach.call(r.addedNodes, redesignTree);
    });
  }).observe(document.documentElement, {subtree: true, childList: true, attributes: true,
    attributeFilter: ['class', 'data-pl', 'role']});
  window.ShopRedesign = {hashed: hashed};
})();
