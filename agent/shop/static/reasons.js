/* Reason widgets of the cancel form (boot.reasons): radio (default), a native select, a custom dropdown
   (options in the DOM, hidden), `portal` (options rendered only when first opened, in a popup at the end of
   <body>, linked by aria-controls), `searchable` (an input role=combobox: type to filter) and `virtual`
   (only a window of options in the DOM; more are rendered on scroll). Custom ones close on a click outside
   and on Escape. build() returns {nodes, dispose}; pick(reason or null) reports the choice. */
(function () {
  'use strict';
  var S = window.Shop, h = S.h;
  var ROW = 32, VISIBLE = 4;  // the virtual list: 4 rows in view, one more rendered below
  var seq = 0;
  function uid(prefix) { seq += 1; return prefix + '-' + seq; }

  function radios(o) {
    return h('div', {class: 'cancel-reason-list', role: 'radiogroup', 'aria-label': o.label},
      o.reasons.map(function (r) {
        return h('label', {class: 'comet-radio'},
          h('input', {type: 'radio', name: 'cancel-reason', value: r.id, onchange: function () { o.pick(r); }}),
          h('span', null, r.text));
      }));
  }

  function select(o) {
    var el = h('select', {class: 'cancel-reason-select', name: 'cancel-reason', 'aria-label': o.label},
      h('option', {value: ''}, o.placeholder),
      o.reasons.map(function (r) { return h('option', {value: r.id}, r.text); }));
    el.addEventListener('change', function () {
      o.pick(o.reasons.filter(function (r) { return r.id === el.value; })[0] || null);
    });
    return el;
  }

  /* Open/close of a custom dropdown: Escape and a press outside `parts()` close it. */
  function openClose(opener, parts, onOpen, onClose) {
    var open = false;
    function set(value) {
      if (value === open) return;
      open = value;
      opener.setAttribute('aria-expanded', open ? 'true' : 'false');
      if (open) onOpen(); else onClose();
    }
    function outside(e) {
      if (open && !parts().some(function (p) { return p && p.contains(e.target); })) set(false);
    }
    function escape(e) { if (open && e.key === 'Escape') { e.stopPropagation(); set(false); } }
    document.addEventListener('mousedown', outside, true);
    document.addEventListener('keydown', escape, true);
    set.isOpen = function () { return open; };
    set.dispose = function () {
      document.removeEventListener('mousedown', outside, true);
      document.removeEventListener('keydown', escape, true);
    };
    return set;
  }

  function option(r, cls, chosen, choose, extra) {
    var attrs = {role: 'option', class: cls, 'data-value': r.id,
      'aria-selected': chosen && chosen.id === r.id ? 'true' : 'false'};
    Object.keys(extra || {}).forEach(function (k) { attrs[k] = extra[k]; });
    var li = h('li', attrs, r.text);
    li.addEventListener('click', function () { choose(r); });
    return li;
  }

  /* A combobox box showing the selection (or the placeholder), opened by click or Enter/Space/ArrowDown. */
  function box(o, cls, listId) {
    var shown = h('span', {class: o.cls.selection}, o.placeholder);
    var attrs = {class: cls, role: 'combobox', tabindex: '0', 'aria-expanded': 'false', 'aria-haspopup': 'listbox'};
    if (o.labelledBy) attrs['aria-labelledby'] = o.labelledBy; else attrs['aria-label'] = o.label;
    if (listId) attrs['aria-controls'] = listId;
    var el = h('div', attrs, shown);
    return {el: el, show: function (r) {
      shown.textContent = r ? r.text : o.placeholder;
      shown.className = r ? o.cls.selection : o.cls.placeholder;
    }};
  }

  function wire(b, set) {
    b.el.addEventListener('click', function () { set(!set.isOpen()); });
    b.el.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ' || e.key === 'ArrowDown') { e.preventDefault(); set(true); }
    });
  }

  /* custom: the listbox is in the dialog from the start, hidden until opened. */
  function custom(o) {
    var chosen = null, listId = 'cancel-reason-options';
    var b = box(o, 'comet-select cancel-reason-dropdown', listId);
    var list = h('ul', {id: listId, class: 'comet-select-dropdown', role: 'listbox', hidden: true});
    function choose(r) { chosen = r; b.show(r); set(false); o.pick(r); }
    function fill() {
      list.textContent = '';
      o.reasons.forEach(function (r) { list.appendChild(option(r, 'comet-select-item-option', chosen, choose)); });
    }
    var set = openClose(b.el, function () { return [b.el, list]; },
      function () { fill(); list.hidden = false; }, function () { list.hidden = true; });
    fill();
    wire(b, set);
    return {nodes: [b.el, list], dispose: set.dispose};
  }

  /* portal: nothing but the box until first opened; then a popup at the end of <body>, outside the form. */
  function portal(o) {
    var chosen = null, pop = null, listId = uid('cancel-reason-popup');
    var b = box(o, o.cls.box, null);
    function choose(r) { chosen = r; b.show(r); set(false); o.pick(r); }
    function place() {
      var r = b.el.getBoundingClientRect();
      pop.style.left = r.left + 'px'; pop.style.top = (r.bottom + 4) + 'px'; pop.style.width = r.width + 'px';
    }
    function render() {
      if (!pop) {
        pop = h('div', {class: o.cls.popup}, h('ul', {id: listId, class: o.cls.menu, role: 'listbox'}));
        document.body.appendChild(pop);
        b.el.setAttribute('aria-controls', listId);
      }
      var list = pop.firstChild;
      list.textContent = '';
      o.reasons.forEach(function (r) { list.appendChild(option(r, o.cls.item, chosen, choose)); });
      pop.hidden = false;
      place();
    }
    var set = openClose(b.el, function () { return [b.el, pop]; }, render, function () { if (pop) pop.hidden = true; });
    wire(b, set);
    return {nodes: [b.el], dispose: function () { set.dispose(); if (pop) pop.remove(); }};
  }

  /* searchable: an input role=combobox; typing filters the options; the chosen text stays in the input. */
  function searchable(o) {
    var chosen = null, listId = uid('cancel-reason-search');
    var input = h('input', {type: 'text', class: 'comet-select-search-input', role: 'combobox', autocomplete: 'off',
      'aria-label': o.label, 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-haspopup': 'listbox',
      'aria-controls': listId, placeholder: o.placeholder});
    var list = h('ul', {id: listId, class: 'comet-select-dropdown', role: 'listbox', hidden: true});
    var wrap = h('div', {class: 'comet-select comet-select-show-search cancel-reason-search'}, input, list);
    function choose(r) { chosen = r; input.value = r.text; set(false); o.pick(r); }
    function fill() {
      var q = input.value.trim().toLowerCase();
      if (chosen && input.value === chosen.text) q = '';
      list.textContent = '';
      o.reasons.filter(function (r) { return r.text.toLowerCase().indexOf(q) >= 0; }).forEach(function (r) {
        list.appendChild(option(r, 'comet-select-item-option', chosen, choose));
      });
    }
    var set = openClose(input, function () { return [wrap]; }, function () { fill(); list.hidden = false; },
      function () { list.hidden = true; input.value = chosen ? chosen.text : ''; });
    input.addEventListener('click', function () { set(true); });
    input.addEventListener('input', function () {
      if (chosen && input.value !== chosen.text) { chosen = null; o.pick(null); }
      if (set.isOpen()) fill(); else set(true);
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') { e.preventDefault(); set(true); }
      if (e.key === 'Enter' && set.isOpen() && list.firstChild) { e.preventDefault(); list.firstChild.click(); }
    });
    return {nodes: [wrap], dispose: set.dispose};
  }

  /* virtual: a fixed-height listbox holding only the rows in view (+1); scrolling renders the others. */
  function virtual(o) {
    var chosen = null, listId = 'cancel-reason-virtual-list', n = o.reasons.length;
    var b = box(o, 'comet-select cancel-reason-dropdown cancel-reason-virtual', listId);
    var inner = h('div', {class: 'comet-virtual-list-holder', role: 'presentation'});
    inner.style.height = (n * ROW) + 'px';
    var list = h('div', {id: listId, class: 'comet-select-dropdown comet-virtual-list', role: 'listbox', hidden: true},
      inner);
    list.style.height = (VISIBLE * ROW) + 'px';
    function choose(r) { chosen = r; b.show(r); set(false); o.pick(r); }
    function render() {
      var first = Math.floor(list.scrollTop / ROW);
      inner.textContent = '';
      o.reasons.slice(first, first + VISIBLE + 1).forEach(function (r, i) {
        var el = option(r, 'comet-select-item-option', chosen, choose,
          {'aria-setsize': n, 'aria-posinset': first + i + 1});
        el.style.top = ((first + i) * ROW) + 'px';
        inner.appendChild(el);
      });
    }
    list.addEventListener('scroll', render, {passive: true});
    var set = openClose(b.el, function () { return [b.el, list]; },
      function () { list.hidden = false; render(); }, function () { list.hidden = true; inner.textContent = ''; });
    wire(b, set);
    return {nodes: [b.el, list], dispose: set.dispose};
  }

  var PLAIN = {box: 'comet-select cancel-reason-dropdown cancel-reason-portal', selection: 'comet-select-selection-item',
    placeholder: 'comet-select-selection-item', popup: 'comet-select-popup', menu: 'comet-select-dropdown',
    item: 'comet-select-item-option'};
  var V2 = {box: 'comet-v2-select comet-v2-select-show-arrow', selection: 'comet-v2-select-selection-item',
    placeholder: 'comet-v2-select-selection-placeholder', popup: 'comet-v2-select-dropdown', menu: 'comet-v2-menu',
    item: 'comet-v2-menu-item'};
  var KINDS = {radio: radios, select: select, custom: custom, portal: portal, searchable: searchable,
    virtual: virtual};

  /* opts: {reasons, pick, label, placeholder, labelledBy?, v2?} */
  function build(kind, opts) {
    var o = Object.assign({cls: opts.v2 ? V2 : PLAIN}, opts);
    var made = (KINDS[kind] || radios)(o);
    if (made.nodes) return made;
    return {nodes: [made], dispose: function () {}};
  }

  window.ShopReasons = {build: build, kinds: Object.keys(KINDS)};
})();
