/* The separate cancel page (cancel_form=page_tab), like the real refund flow (public automation code,
   2024-12): a comet-v2 reason dropdown (options in a popup at the end of <body>, rendered when opened), a
   REQUIRED comment box with a hashed-looking class, "Submit" (data-pl=buyersubmit_btn_submit), then a
   confirmation pop-up whose "Confirm" (in .comet-v2-modal-footer) sends the operation request (the
   dialog's payload plus `comment`). Missing reason or comment: an inline error, nothing sent. */
(function () {
  'use strict';
  var S = window.Shop, h = S.h, T = S.T, boot = S.boot, CT = boot.cancel.t;
  var root = document.getElementById('cancel-page');
  var orderId = boot.orderId;
  var REQUESTED = 4;  // orderStatus of "Awaiting Cancellation" (the others cancel at once)

  function fieldError(text) {
    return h('div', {class: 'comet-v2-form-item-explain-error', role: 'alert', hidden: true}, text);
  }

  function popup(onConfirm) {
    var wrap;
    function close() { wrap.remove(); }
    wrap = h('div', {class: 'comet-v2-modal-wrap cancel-confirm-popup'},
      h('div', {class: 'comet-v2-modal', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'cancel-popup-title'},
        h('div', {class: 'comet-v2-modal-header'},
          h('div', {class: 'comet-v2-modal-title', id: 'cancel-popup-title'}, CT.popup_title),
          h('button', {class: 'comet-v2-modal-close', type: 'button', 'aria-label': T.close, onclick: close}, '×')),
        h('div', {class: 'comet-v2-modal-body'}, CT.popup_body),
        h('div', {class: 'comet-v2-modal-footer'},
          h('button', {class: 'comet-v2-btn', type: 'button', onclick: close}, T.keep_order),
          h('button', {class: 'comet-v2-btn comet-v2-btn-primary', type: 'button', onclick: function (e) {
            e.target.disabled = true;
            onConfirm(close);
          }}, T.confirm))));
    document.body.appendChild(wrap);
  }

  function result(body) {
    var status = ((body.data || {}).orderStatus);
    root.textContent = '';
    root.appendChild(h('div', {class: 'cancel-result', role: 'status'},
      h('h2', {class: 'cancel-result-title'}, status === REQUESTED ? CT.requested : CT.cancelled),
      h('a', {class: 'cancel-result-back', href: '/p/order/detail.html?orderId=' + encodeURIComponent(orderId)},
        CT.back)));
  }

  function form() {
    var chosen = null;
    var needReason = fieldError(CT.need_reason), needComment = fieldError(CT.need_comment);
    var refusal = h('div', {class: 'comet-alert-error', role: 'alert', hidden: true});
    var widget = window.ShopReasons.build('portal', {reasons: T.reasons, placeholder: T.select_reason,
      labelledBy: 'cancel-reason-label', label: T.cancellation_reason, v2: true,
      pick: function (r) { chosen = r; if (r) needReason.hidden = true; }});
    var comment = h('textarea', {id: 'cancel-comment', class: 'commet--textarea--Sg0xapL', name: 'comment',
      rows: '4', maxlength: '512', required: true, placeholder: CT.comment_placeholder});
    comment.addEventListener('input', function () { if (comment.value.trim()) needComment.hidden = true; });
    var el = h('form', {class: 'cancel-form', 'aria-labelledby': 'cancel-page-title', novalidate: true},
      h('div', {class: 'cancel-form-order-id'}, T.order_id + ': ' + orderId),
      h('div', {class: 'comet-v2-form-item'},
        h('label', {class: 'comet-v2-form-item-label', id: 'cancel-reason-label'}, T.cancellation_reason),
        widget.nodes, needReason),
      h('div', {class: 'comet-v2-form-item'},
        h('label', {class: 'comet-v2-form-item-label', for: 'cancel-comment'}, CT.comment), comment, needComment),
      refusal,
      h('button', {class: 'comet-v2-btn comet-v2-btn-primary', type: 'submit',
        'data-pl': 'buyersubmit_btn_submit'}, CT.submit));
    el.addEventListener('submit', function (e) {
      e.preventDefault();
      var text = comment.value.trim();
      needReason.hidden = !!chosen;
      needComment.hidden = !!text;
      if (!chosen || !text) return;
      var reason = chosen;
      popup(function (close) { send(reason, text, close, refusal); });
    });
    return el;
  }

  function send(reason, text, close, refusal) {
    refusal.hidden = true;
    window.ShopCancel.request(orderId, reason, {comment: text}).then(function (body) {
      var ret = S.retOf(body);
      close();
      if (ret.ok) { result(body); return; }
      refusal.textContent = ret.msg;
      refusal.hidden = false;
    }, function (err) {
      close();
      if (err instanceof S.SessionExpired) return;
      refusal.textContent = T.load_error;
      refusal.hidden = false;
    });
  }

  root.textContent = '';
  root.appendChild(h('h1', {class: 'cancel-page-title', id: 'cancel-page-title'}, CT.page_title));
  if (!boot.found) {
    root.appendChild(h('div', {class: 'comet-alert-error cancel-page-error', role: 'alert'}, CT.not_found));
    return;
  }
  root.appendChild(form());
})();
