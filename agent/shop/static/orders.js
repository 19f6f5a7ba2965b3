/* My Orders: tabs, search, time range, rows of 10 and "View orders" (load more), all from the list API. */
(function () {
  'use strict';
  var S = window.Shop, h = S.h, T = S.T;
  var main = document.getElementById('order-main');
  var q = {statusTab: S.param('statusTab') || 'all', timeOption: 'all', searchInput: '', pageIndex: 1};
  var ui = {};

  function skeleton() {
    ui.tabs = h('div', {class: 'comet-tabs-nav', role: 'tablist'});
    ui.search = h('input', {class: 'order-search-input', type: 'search', placeholder: T.search_placeholder,
      'aria-label': T.search_placeholder, onkeydown: function (e) { if (e.key === 'Enter') reload(); }});
    ui.time = h('select', {class: 'order-time-select', 'aria-label': T.orders_placed_in,
      onchange: reload}, ['all', '6m', '1y', '2y'].map(function (k) {
      return h('option', {value: k}, T['time_' + k]);
    }));
    ui.rows = h('div', {class: 'comet-checkbox-group'});
    ui.more = h('div', {class: 'order-more', 'data-pl': 'order_more', hidden: true},
      h('button', {class: 'comet-btn', type: 'button', onclick: more}, T.view_orders));
    ui.status = h('div', {class: 'order-list-status'});
    main.textContent = '';
    main.append(ui.tabs, h('div', {class: 'order-filters'}, ui.search,
      h('button', {class: 'comet-btn order-search-btn', type: 'button', onclick: reload}, T.search),
      h('label', {class: 'order-time-label'}, T.orders_placed_in + ' ', ui.time)), ui.rows, ui.status, ui.more);
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

  function actions(f) {
    return f.buttons.map(function (b) {
      var cls = 'comet-btn' + (b.displayType === 'primary' ? ' comet-btn-primary' : '');
      if (b.href) return h('a', {class: cls, href: b.href, 'data-type': b.type}, b.text);
      var onclick = b.type === 'CANCEL_ORDER' ? function () {
        window.ShopCancel.open(f.orderId, function () { location.reload(); });
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
            h('div', null, T.order_id + ': ' + f.orderId, h('span', {class: 'order-item-copy'}, T.copy))),
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
    tabs(S.byTag(body, 'pc_om_list_header'));
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
    q.timeOption = ui.time.value;
    q.pageIndex = 1;
    ui.rows.textContent = '';
    ui.status.textContent = '';
    ui.more.hidden = true;
    ui.status.appendChild(h('div', {class: 'comet-loading'}, T.loading));
    S.callApi('list', q).then(function (body) { ui.status.textContent = ''; show(body); })
      .catch(function (e) { fail(e, reload); });
  }

  function more() {
    var button = ui.more.querySelector('button'), spinner = h('div', {class: 'comet-loading'}, T.loading);
    button.hidden = true;
    ui.more.appendChild(spinner);
    q.pageIndex += 1;
    S.callApi('list', q).then(function (body) {
      spinner.remove(); button.hidden = false; ui.status.textContent = ''; show(body);
    })
      .catch(function (e) { spinner.remove(); button.hidden = false; q.pageIndex -= 1; fail(e, more); });
  }

  skeleton();
  reload();
  S.initPopups();
})();
