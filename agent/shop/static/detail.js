/* Order detail, rendered from the detail API. Where "Cancel order" sits depends on boot.layout. */
(function () {
  'use strict';
  var S = window.Shop, h = S.h, T = S.T, boot = S.boot;
  var root = document.getElementById('order-detail-page');
  var orderId = boot.orderId;  // from the URL: the API's numeric ids lose digits in JS past 2^53
  var current = {buttons: []};

  function act(b) {
    if (b.type === 'CANCEL_ORDER') window.ShopCancel.open(orderId, function () { location.reload(); });
    else if (b.href) location.href = b.href;
  }

  function button(b) {
    var cls = 'comet-btn' + (b.displayType === 'primary' ? ' comet-btn-primary' : '');
    if (b.href) return h('a', {class: cls, href: b.href, 'data-type': b.type}, b.text);
    return h('button', {class: cls, type: 'button', 'data-type': b.type, onclick: function () { act(b); }}, b.text);
  }

  function menu(opener, items) {
    var list = h('ul', {role: 'menu', class: 'comet-dropdown-menu', hidden: true}, items.map(function (b) {
      return h('li', {role: 'menuitem', tabindex: '-1', 'data-type': b.type,
        onclick: function () { list.hidden = true; opener.setAttribute('aria-expanded', 'false'); act(b); }}, b.text);
    }));
    opener.setAttribute('aria-expanded', 'false');
    opener.addEventListener('click', function (e) {
      e.stopPropagation();
      list.hidden = !list.hidden;
      opener.setAttribute('aria-expanded', list.hidden ? 'false' : 'true');
    });
    document.addEventListener('click', function () { list.hidden = true; opener.setAttribute('aria-expanded', 'false'); });
    return h('div', {class: 'order-more-wrap'}, opener, list);
  }

  function iconSvg() {
    var ns = 'http://www.w3.org/2000/svg', svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24'); svg.setAttribute('width', '16'); svg.setAttribute('height', '16');
    svg.setAttribute('aria-hidden', 'true');
    [5, 12, 19].forEach(function (x) {
      var c = document.createElementNS(ns, 'circle');
      c.setAttribute('cx', x); c.setAttribute('cy', '12'); c.setAttribute('r', '2'); svg.appendChild(c);
    });
    return svg;
  }

  /* The status block's button bar for the current layout. */
  function bar(buttons) {
    var layout = boot.layout, el = h('div', {class: 'order-status-btns'});
    var cancel = buttons.filter(function (b) { return b.type === 'CANCEL_ORDER'; });
    var others = buttons.filter(function (b) { return b.type !== 'CANCEL_ORDER'; });
    if (layout === 'more_menu' || layout === 'icon_menu') {
      var items = cancel.concat([{type: 'DOWNLOAD_RECEIPT', text: T.download_receipt}]);
      var opener = layout === 'more_menu'
        ? h('button', {class: 'comet-btn order-more-actions', type: 'button', 'aria-haspopup': 'menu'}, T.more)
        : h('button', {class: 'comet-icon-btn', type: 'button', 'aria-label': T.more_actions, 'aria-haspopup': 'menu'}, iconSvg());
      others.forEach(function (b) { el.appendChild(button(b)); });
      el.appendChild(menu(opener, items));
    } else {
      (layout === 'reminder_link' ? others : buttons).forEach(function (b) { el.appendChild(button(b)); });
    }
    return el;
  }

  function reminder(f, buttons) {
    var el = h('div', {class: 'order-status-reminder'}, f.reminder);
    var canCancel = buttons.some(function (b) { return b.type === 'CANCEL_ORDER'; });
    if (boot.layout === 'reminder_link' && canCancel) {
      el.append(' ' + T.reminder_link_pre, h('a', {href: '#', class: 'order-status-reminder-link', onclick: function (e) {
        e.preventDefault(); act({type: 'CANCEL_ORDER'});
      }}, T.reminder_link), '.');
    }
    return el;
  }

  function statusBlock(f) {
    var block = h('div', {class: 'order-status'},
      h('h2', {class: 'order-block-title'}, f.title),
      f.statusTag ? h('span', {class: 'order-status-tag'}, f.statusTag) : null,
      reminder(f, f.buttonVOList));
    if (boot.layout === 'iframe') {
      block.appendChild(h('iframe', {class: 'order-actions-frame', title: T.more_actions,
        src: '/p/order/actions.html?orderId=' + encodeURIComponent(orderId)}));
    } else if (boot.layout === 'late_render') {
      var slot = h('div', {class: 'order-status-btns'});
      block.appendChild(slot);
      lateRender(slot, f.buttonVOList);
    } else {
      block.appendChild(bar(f.buttonVOList));
    }
    return block;
  }

  /* late_render: the bar appears only once the page has been scrolled near its bottom. */
  function lateRender(slot, buttons) {
    function check() {
      if (window.scrollY + window.innerHeight < document.documentElement.scrollHeight - 300) return;
      window.removeEventListener('scroll', check);
      slot.replaceWith(bar(buttons));
    }
    window.addEventListener('scroll', check, {passive: true});
  }

  function infoRow(label, value) {
    if (!value) return null;
    return h('div', {class: 'info-row'}, h('span', {class: 'info-row-label'}, label),
      h('span', {class: 'info-row-value'}, value));
  }

  function infoBlock(f) {
    return h('div', {class: 'order-detail-info'}, infoRow(T.order_id, orderId), infoRow(T.order_placed_on, f.orderCreatTime),
      infoRow(T.payment_method, f.paymentMethod), infoRow(T.paid_on, f.payTime), infoRow(T.shipped_on, f.orderShipTime),
      infoRow(T.ended_on, f.orderEndTime));
  }

  function itemsBlock(f) {
    return h('div', {class: 'order-detail-items'}, f.productVOList.map(function (p) {
      return h('div', {class: 'order-detail-item', 'data-line-id': p.orderLineId},
        h('div', {class: 'order-detail-item-info'},
          h('div', {class: 'order-detail-item-store'}, h('a', {href: p.sellerVO.storePageUrl}, p.sellerVO.storeName)),
          h('div', {class: 'order-detail-item-title'}, p.itemTitle),
          h('div', {class: 'order-detail-item-sku'}, p.skuAttrs.join(', ')),
          h('div', {class: 'order-detail-item-price'}, p.itemPriceText),
          h('div', {class: 'order-detail-item-quantity'}, 'x' + p.quantity)),
        h('div', {class: 'order-detail-item-btns'}, p.buttonVOS.map(button)));
    }));
  }

  function priceBlock(f) {
    var rows = f.priceDetails, last = rows.length - 1;
    return h('div', {class: 'order-price'}, rows.map(function (r, i) {
      return h('div', {class: 'order-price-item'}, h('span', {class: 'left-col'}, r.title),
        h('span', {class: 'right-col'}, i === last ? S.price(r.value) : r.value));
    }));
  }

  var RENDER = {detail_order_status_block: statusBlock, detail_simple_order_info_component: infoBlock,
    detail_product_block: itemsBlock, detail_order_price_block: priceBlock};

  function show(body) {
    var ret = S.retOf(body);
    if (!ret.ok) { root.textContent = ''; root.appendChild(h('div', {class: 'order-detail-error', role: 'alert'}, ret.msg)); return; }
    var wrap = h('div', {class: 'order-detail-wrap', 'data-order-id': orderId});
    S.children(body, body.data.hierarchy.root).forEach(function (c) {
      if (RENDER[c.tag]) wrap.appendChild(RENDER[c.tag](c.fields));
    });
    current.buttons = S.byTag(body, 'detail_order_status_block').fields.buttonVOList;
    wrap.appendChild(h('div', {class: 'recommended' + (boot.layout === 'late_render' ? ' recommended-tall' : '')},
      h('h3', null, T.recommended)));
    root.textContent = '';
    root.appendChild(wrap);
    var over = wrap.querySelector('.order-status-btns, .order-actions-frame') || wrap.querySelector('.order-status');
    S.showChat(over);
  }

  function load() {
    root.textContent = '';
    root.appendChild(h('div', {class: 'comet-loading', 'aria-busy': 'true'}, T.loading));
    S.callApi('detail', {tradeOrderId: orderId}).then(show).catch(function (err) {
      if (err instanceof S.SessionExpired) return;
      root.textContent = '';
      root.appendChild(S.errorBlock('order-detail-error', load));
    });
  }

  /* Used by the iframe layout's frame document (same origin). */
  window.ShopDetail = {buttons: function () { return current.buttons; }, act: act, bar: bar};
  load();
  S.initPopups();
})();
