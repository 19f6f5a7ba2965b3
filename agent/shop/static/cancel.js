/* The cancel dialog (a comet modal). Confirm stays disabled until a reason is chosen; the reasons
   widget is radio (default), a native select, or a custom non-native dropdown (boot.reasons). */
(function () {
  'use strict';
  var S = window.Shop, h = S.h, T = S.T;

  function radios(pick) {
    return h('div', {class: 'cancel-reason-list', role: 'radiogroup', 'aria-label': T.cancellation_reason},
      T.reasons.map(function (r) {
        return h('label', {class: 'comet-radio'},
          h('input', {type: 'radio', name: 'cancel-reason', value: r.id, onchange: function () { pick(r); }}),
          h('span', null, r.text));
      }));
  }

  function select(pick) {
    var el = h('select', {class: 'cancel-reason-select', name: 'cancel-reason', 'aria-label': T.cancellation_reason},
      h('option', {value: ''}, T.select_reason),
      T.reasons.map(function (r) { return h('option', {value: r.id}, r.text); }));
    el.addEventListener('change', function () {
      pick(T.reasons.filter(function (r) { return r.id === el.value; })[0] || null);
    });
    return el;
  }

  function custom(pick) {
    var label = h('span', {class: 'comet-select-selection-item'}, T.select_reason);
    var box = h('div', {class: 'comet-select cancel-reason-dropdown', role: 'combobox', tabindex: '0',
      'aria-label': T.cancellation_reason, 'aria-expanded': 'false', 'aria-controls': 'cancel-reason-options'}, label);
    var list = h('ul', {id: 'cancel-reason-options', class: 'comet-select-dropdown', role: 'listbox', hidden: true});
    function toggle(open) {
      list.hidden = !open;
      box.setAttribute('aria-expanded', open ? 'true' : 'false');
    }
    T.reasons.forEach(function (r) {
      var opt = h('li', {role: 'option', class: 'comet-select-item-option', 'data-value': r.id,
        'aria-selected': 'false'}, r.text);
      opt.addEventListener('click', function () {
        list.querySelectorAll('li').forEach(function (li) { li.setAttribute('aria-selected', 'false'); });
        opt.setAttribute('aria-selected', 'true');
        label.textContent = r.text;
        toggle(false);
        pick(r);
      });
      list.appendChild(opt);
    });
    box.addEventListener('click', function () { toggle(list.hidden); });
    box.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ' || e.key === 'ArrowDown') { e.preventDefault(); toggle(true); }
      if (e.key === 'Escape') toggle(false);
    });
    return [box, list];
  }

  function submit(orderId, reason, confirm, alert, onDone) {
    confirm.disabled = true;
    alert.hidden = true;
    S.callApi('operation', {tradeOrderId: orderId, operation: 'cancel', reasonId: reason.id,
      reasonText: reason.text}, 'POST').then(function (body) {
      var ret = S.retOf(body);
      if (ret.ok) { onDone(); return; }
      alert.textContent = ret.msg;
      alert.hidden = false;
      confirm.disabled = false;
    }, function (err) {
      if (err instanceof S.SessionExpired) return;
      alert.textContent = T.load_error;
      alert.hidden = false;
      confirm.disabled = false;
    });
  }

  function open(orderId, onDone) {
    if (document.querySelector('.cancel-order-modal')) return;
    var chosen = null;
    var alert = h('div', {class: 'comet-alert-error', role: 'alert', hidden: true});
    var confirm = h('button', {class: 'comet-btn comet-btn-primary cancel-order-confirm', type: 'button',
      disabled: true}, T.confirm);
    function pick(reason) { chosen = reason; confirm.disabled = !reason; }
    var widget = {radio: radios, select: select, custom: custom}[S.boot.reasons] || radios;
    var wrap = h('div', {class: 'comet-modal-wrap'},
      h('div', {class: 'comet-modal cancel-order-modal', role: 'dialog', 'aria-modal': 'true',
        'aria-labelledby': 'cancel-order-title', 'data-order-id': orderId},
        h('div', {class: 'comet-modal-header'},
          h('div', {class: 'comet-modal-title', id: 'cancel-order-title'}, T.cancel_order),
          h('button', {class: 'comet-modal-close', type: 'button', 'aria-label': T.close, onclick: close}, '×')),
        h('div', {class: 'comet-modal-body'},
          h('div', {class: 'cancel-order-id'}, T.order_id + ': ' + orderId), widget(pick), alert),
        h('div', {class: 'comet-modal-footer'},
          h('button', {class: 'comet-btn', type: 'button', onclick: close}, T.keep_order), confirm)));
    function close() { wrap.remove(); }
    confirm.addEventListener('click', function () {
      if (chosen) submit(orderId, chosen, confirm, alert, onDone || function () { location.reload(); });
    });
    document.body.appendChild(wrap);
  }

  window.ShopCancel = {open: open};
})();
