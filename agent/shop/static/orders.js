/* My Orders: tabs, search, time range, rows of 10 and "View orders" (load more), all from the list API:
   the first page by GET, every next page by POST built from the answer before it (its linkage,
   hierarchy and endpoint), as the real page does. The "Orders placed in" control is a native select,
   a custom dropdown whose options exist only while it is open, or absent (boot.timeFilter). */
(function () {
  'use strict';
  var S = window.Shop, h = S.h, T = S.T;
  var main = document.getElementById('order-main');
  var TIMES = ['all', '6m', '1y', '2y'];
  var q = {statusTab: S.param('statusTab') || 'all', timeOption: 'all', searchInput: ''};
  var ui = {}, last = null;

  function timeSelect() {
    ui.time = h('select', {class: 'order-time-select', 'aria-label': T.orders_placed_in,
      onchange: function () { q.timeOption = ui.time.value; reload(); }}, TIMES.map(function (k) {
      return h('option', {value: k}, T['time_' + k]);
    }));
    return h('label', {class: 'order-time-label'}, T.orders_placed_in + ' ', ui.time);
  }

  /* role=combobox; the listbox is attached at the end of <body> only while open. */
  function timeDropdown() {
    var shown = h('span', {class: 'comet-select-selection-item'}, T.time_all), list = null;
    var box = h('div', {class: 'comet-select order-time-dropdown', role: 'combobox', tabindex: '0',
      'aria-label': T.orders_placed_in, 'aria-expanded': 'false', 'aria-controls': 'order-time-options'}, shown);
    function close() { if (list) list.remove(); list = null; box.setAttribute('aria-expanded', 'false'); }
    function open() {
      var r = box.getBoundingClientRect();
      list = h('ul', {id: 'order-time-options', class: 'comet-select-dropdown order-time-options', role: 'listbox',
        'aria-label': T.orders_placed_in}, TIMES.map(function (k) {
        return h('li', {role: 'option', class: 'comet-select-item-option', 'data-value': k,
          'aria-selected': k === q.timeOption ? 'true' : 'false', onclick: function () {
            shown.textContent = T['time_' + k]; close(); q.timeOption = k; reload();
          }}, T['time_' + k]);
      }));
      list.style.left = (r.left + window.scrollX) + 'px';
      list.style.top = (r.bottom + window.scrollY + 4) + 'px';
      document.body.appendChild(list);
      box.setAttribute('aria-expanded', 'true');
    }
    box.addEventListener('click', function () { if (list) close(); else open(); });
    box.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ' || e.key === 'ArrowDown') { e.preventDefault(); if (!list) open(); }
      if (e.key === 'Escape') close();
    });
    return h('div', {class: 'order-time-label'}, h('span', null, T.orders_placed_in + ' '), box);
  }

  function skeleton() {
    ui.tabs = h('div', {class: 'comet-tabs-nav', role: 'tablist'});
    ui.search = h('input', {class: 'order-search-input', type: 'search', placeholder: T.search_placeholder,
      'aria-label': T.search_placeholder, onkeydown: function (e) { if (e.key === 'Enter') reload(); }});
    ui.rows = h('div', {class: 'comet-checkbox-group'});
    ui.more = h('div', {class: 'order-more', 'data-pl': 'order_more', hidden: true},
      h('button', {class: 'comet-btn', type: 'button', onclick: more}, T.view_orders));
    ui.status = h('div', {class: 'order-list-status'});
    var time = {select: timeSelect, custom: timeDropdown}[S.boot.timeFilter];
    main.textContent = '';
    main.append(ui.tabs, h('div', {class: 'order-filters'}, ui.search,
      h('button', {class: 'comet-btn order-search-btn', type: 'button', onclick: reload}, T.search),
      time ? time() : null), ui.rows, ui.status, ui.more);
  }

  function timeZone() {
    var off = -new Date().getTimezoneOffset(), abs = Math.abs(off), min = abs % 60;
    return 'GMT' + (off < 0 ? '-' : '+') + Math.floor(abs / 60) + (min ? ':' + String(min).padStart(2, '0') : '');
  }

  function firstPage() {
    return {statusTab: q.statusTab, renderType: 'init', clientPlatform: 'pc', timeZone: timeZone(),
      timeOption: q.timeOption, searchInput: q.searchInput, searchOption: 'order'};
  }

  /* The next page: the body component with pageIndex bumped and the header action (the filters), plus
     the previous answer's linkage, hierarchy and endpoint, each as a JSON string. */
  function nextPage() {
    var d = last, bodyKey = keyIn(d, 'pc_om_list_body'), headKey = keyIn(d, 'pc_om_list_header_action');
    var body = JSON.parse(JSON.stringify(d.data[bodyKey])), comps = {};
    body.fields.pageIndex += 1;
    comps[bodyKey] = body;
    comps[headKey] = d.data[headKey];
    return {params: JSON.stringify({data: JSON.stringify(comps), linkage: JSON.stringify(d.linkage),
      hierarchy: JSON.stringify(d.hierarchy), endpoint: JSON.stringify(d.endpoint), operator: bodyKey})};
  }

  function keyIn(d, tag) {
    for (var k in d.data) if (d.data[k].tag === tag) return k;
    return null;
  }

  function tabs(header) {
    var list = header.fields.statusTabList.slice();
    if (header.fields.tailStatusTab) list.push(header.fields.tailStatusTab);
    ui.tabs.textContent = '';
    list.forEach(function (t) {
      var active = t.statusTab === q.statusTab;
      ui.tabs.appendChild(h('div', {class: 'comet-tabs-nav-item' + (active ? ' comet-tabs-nav-item-active' : ''),
        role: 'tab', 'aria-selected': active ? 'true' : 'false', tabindex: '0', 'data-tab': t.statusTab,
        onclick: function () { q.statusTab = t.statusTab; reload(); }}, t.text));
    });
  }

  /* The order id as digits: a string as sent, else from the detail link (a number past 2^53 has lost
     digits in JSON.parse, like the detail page's ids). */
  function idOf(f) {
    if (typeof f.orderId === 'string') return f.orderId;
    var m = /[?&]orderId=(\d+)/.exec(f.orderDetailUrl || '');
    return m ? m[1] : String(f.orderId);
  }

  function actions(f) {
    return f.buttons.map(function (b) {
      var cls = 'comet-btn' + (b.displayType === 'primary' ? ' comet-btn-primary' : '');
      if (b.href) return h('a', {class: cls, href: b.href, 'data-type': b.type}, b.text);
      var onclick = b.type === 'CANCEL_ORDER' ? function () {
        window.ShopCancel.open(idOf(f), function () { location.reload(); });
      } : null;
      return h('button', {class: cls, type: 'button', 'data-type': b.type, onclick: onclick}, b.text);
    });
  }

  function row(f) {
    return h('div', {class: 'order-item'},
      h('div', {class: 'order-item-header'},
        h('div', {class: 'order-item-header-status'}, h('span', {class: 'order-item-header-status-text'}, f.statusText)),
        h('div', {class: 'order-item-header-right'},
          h('div', {class: 'order-item-header-right-info', 'data-pl': 'order_item_header_info'},
            h('div', null, T.order_date + ': ' + f.orderDateText),
            h('div', null, T.order_id + ': ' + idOf(f), h('span', {class: 'order-item-copy'}, T.copy))),
          h('a', {'data-pl': 'order_item_header_detail', href: f.orderDetailUrl}, T.order_details))),
      h('div', {class: 'order-item-store'}, h('span', {class: 'order-item-store-name', 'data-pl': 'order_item_store_name'},
        h('a', {href: f.storePageUrl}, f.storeName))),
      h('div', {class: 'order-item-content'},
        h('div', {class: 'order-item-content-bodies'}, f.orderLines.map(function (l) {
          return h('div', {class: 'order-item-content-body'},
            h('div', {class: 'order-item-content-info-name'}, h('a', {href: f.orderDetailUrl},
              h('span', {title: l.itemTitle}, l.itemTitle))),
            h('div', {class: 'order-item-content-info-sku'}, l.skuAttrs.join(', ')),
            h('div', {class: 'order-item-content-info-number'}, h('div', null, l.itemPriceText),
              h('span', {class: 'order-item-content-info-number-quantity'}, 'x' + l.quantity)));
        })),
        h('div', {class: 'order-item-content-opt'},
          h('span', {class: 'order-item-content-opt-price-total', 'data-pl': 'order_item_content_price_total'},
            T.total + ': ', S.price(f.totalPriceText)),
          h('div', {class: 'order-item-btns-wrap'}, h('div', {class: 'order-item-btns'}, actions(f))))));
  }

  function show(body) {
    var ret = S.retOf(body);
    if (!ret.ok) throw new Error(ret.code);
    if (!body.data || !body.data.data) throw new Error('empty answer');  // a stale linkage reads like this
    var header = S.byTag(body, 'pc_om_list_header');
    if (header) tabs(header);
    last = body.data;
    var bodyKey = S.keyOf(body, 'pc_om_list_body'), paging = body.data.data[bodyKey].fields;
    S.children(body, bodyKey).forEach(function (o) { ui.rows.appendChild(row(o.fields)); });
    if (!ui.rows.children.length) ui.status.textContent = T.no_orders;
    ui.more.hidden = !paging.hasMore;
  }

  function fail(err, retry) {
    if (err instanceof S.SessionExpired) return;
    ui.status.textContent = '';
    ui.status.appendChild(S.errorBlock('order-list-error', retry));
  }

  function reload() {
    q.searchInput = ui.search.value;
    ui.rows.textContent = '';
    ui.status.textContent = '';
    ui.more.hidden = true;
    ui.status.appendChild(h('div', {class: 'comet-loading'}, T.loading));
    S.callApi('list', firstPage()).then(function (body) { ui.status.textContent = ''; show(body); })
      .catch(function (e) { fail(e, reload); });
  }

  function more() {
    var button = ui.more.querySelector('button'), spinner = h('div', {class: 'comet-loading'}, T.loading);
    button.hidden = true;
    ui.more.appendChild(spinner);
    S.callApi('list', nextPage(), 'POST').then(function (body) {
      spinner.remove(); button.hidden = false; ui.status.textContent = ''; show(body);
    })
      .catch(function (e) { spinner.remove(); button.hidden = false; fail(e, more); });
  }

  skeleton();
  reload();
  S.initPopups();
})();
