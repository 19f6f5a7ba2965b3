/* iframe layout: this same-origin frame shows the status block's buttons; the parent page runs them
   (the cancel dialog opens in the top page). */
(function () {
  'use strict';
  var slot = document.querySelector('.order-status-btns');
  function render() {
    var parentDetail = window.parent && window.parent.ShopDetail;
    if (!parentDetail || !parentDetail.buttons().length) { setTimeout(render, 50); return; }
    parentDetail.buttons().forEach(function (b) {
      var el = document.createElement(b.href ? 'a' : 'button');
      el.className = 'comet-btn' + (b.displayType === 'primary' ? ' comet-btn-primary' : '');
      el.textContent = b.text;
      el.setAttribute('data-type', b.type);
      if (b.href) el.setAttribute('href', b.href); else el.type = 'button';
      el.addEventListener('click', function (e) {
        if (b.href) { e.preventDefault(); window.parent.location.href = b.href; return; }
        parentDetail.act(b);
      });
      slot.appendChild(el);
    });
  }
  render();
})();
