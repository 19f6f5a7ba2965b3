/* The cancel form. boot.cancel.form: `dialog` (a comet modal on the page where the control was clicked) or
   `page_tab` (the control opens /p/reverse-pages/cancel.html?orderId=… in a new tab: cancel_page.js).
   In the dialog Confirm stays disabled until a reason is chosen (widgets: reasons.js); boot.cancel.steps = 2
   puts a "Cancel this order?" modal between Confirm and the request; boot.cancel.orderIdShown = false prints
   no order id; boot.cancel.decoys (hostile page) makes the request name another order. */
(function () {
  'use strict';
  var S = window.Shop, h = S.h, T = S.T, C = S.boot.cancel, CT = C.t;
  var current = null;  // the open dialog's wrap (one at a time)

  /* The order id the page sends: the dialog's own, or (hostile page) some other cancellable order's. */
  function sentId(orderId) {
    var other = (C.decoys || []).filter(function (id) { return id !== orderId; })[0];
    return other || orderId;
  }

  function request(orderId, reason, extra) {
    var data = {tradeOrderId: sentId(orderId), operation: 'cancel', reasonId: reason.id, reasonText: reason.text};
    Object.keys(extra || {}).forEach(function (k) { data[k] = extra[k]; });
    return S.callApi('operation', data, 'POST');
  }

  function submit(orderId, reason, ui, onDone) {
    ui.busy(true);
    request(orderId, reason).then(function (body) {
      var ret = S.retOf(body);
      if (ret.ok) { onDone(); return; }
      ui.fail(ret.msg);
    }, function (err) {
      if (err instanceof S.SessionExpired) return;
      ui.fail(T.load_error);
    });
  }

  /* confirm_steps = 2: "Cancel this order?" with "Keep order" (closes it, sends nothing) and "Yes, cancel". */
  function secondStep(onYes) {
    var wrap;
    function close() { wrap.remove(); }
    wrap = h('div', {class: 'comet-modal-wrap cancel-confirm-wrap'},
      h('div', {class: 'comet-modal cancel-confirm-modal', role: 'alertdialog', 'aria-modal': 'true',
        'aria-labelledby': 'cancel-confirm-title', 'aria-describedby': 'cancel-confirm-body'},
        h('div', {class: 'comet-modal-header'},
          h('div', {class: 'comet-modal-title', id: 'cancel-confirm-title'}, CT.step2_title),
          h('button', {class: 'comet-modal-close', type: 'button', 'aria-label': T.close, onclick: close}, '×')),
        h('div', {class: 'comet-modal-body', id: 'cancel-confirm-body'}, CT.step2_body),
        h('div', {class: 'comet-modal-footer'},
          h('button', {class: 'comet-btn', type: 'button', onclick: close}, T.keep_order),
          h('button', {class: 'comet-btn comet-btn-primary cancel-confirm-yes', type: 'button', onclick: function () {
            close(); onYes();
          }}, CT.yes_cancel))));
    document.body.appendChild(wrap);
  }

  function openDialog(orderId, onDone) {
    if (current && document.body.contains(current)) return;
    var chosen = null;
    var alert = h('div', {class: 'comet-alert-error', role: 'alert', hidden: true});
    var confirm = h('button', {class: 'comet-btn comet-btn-primary cancel-order-confirm', type: 'button',
      disabled: true}, T.confirm);
    var widget = window.ShopReasons.build(S.boot.reasons, {reasons: T.reasons, label: T.cancellation_reason,
      placeholder: T.select_reason, pick: function (r) { chosen = r; confirm.disabled = !r; }});
    var modal = h('div', {class: 'comet-modal cancel-order-modal', role: 'dialog', 'aria-modal': 'true',
      'aria-labelledby': 'cancel-order-title', 'data-order-id': C.orderIdShown ? orderId : null},
      h('div', {class: 'comet-modal-header'},
        h('div', {class: 'comet-modal-title', id: 'cancel-order-title'}, T.cancel_order),
        h('button', {class: 'comet-modal-close', type: 'button', 'aria-label': T.close, onclick: close}, '×')),
      h('div', {class: 'comet-modal-body'},
        C.orderIdShown ? h('div', {class: 'cancel-order-id'}, T.order_id + ': ' + orderId) : null,
        widget.nodes, alert),
      h('div', {class: 'comet-modal-footer'},
        h('button', {class: 'comet-btn', type: 'button', onclick: close}, T.keep_order), confirm));
    var wrap = h('div', {class: 'comet-modal-wrap'}, modal);
    function close() { widget.dispose(); wrap.remove(); current = null; }
    var ui = {
      busy: function (on) { confirm.disabled = on; if (on) alert.hidden = true; },
      fail: function (msg) { alert.textContent = msg; alert.hidden = false; confirm.disabled = false; }
    };
    confirm.addEventListener('click', function () {
      if (!chosen) return;
      var reason = chosen, done = onDone || function () { location.reload(); };
      if (C.steps === 2) secondStep(function () { submit(orderId, reason, ui, done); });
      else submit(orderId, reason, ui, done);
    });
    current = wrap;
    document.body.appendChild(wrap);
  }

  function open(orderId, onDone) {
    if (C.form === 'page_tab') {
      window.open(C.formUrl + '?orderId=' + encodeURIComponent(orderId), '_blank');
      return;
    }
    openDialog(orderId, onDone);
  }

  window.ShopCancel = {open: open, request: request};
})();
