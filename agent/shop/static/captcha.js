/* Slider captcha: dragging does nothing (no automation may pass it). The page waits for a human to
   solve it (in tests: POST /__shop/captcha/solve), then continues the login by itself. */
(function () {
  'use strict';
  function poll() {
    fetch('/login/captcha-status', {credentials: 'same-origin'}).then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.solved) document.getElementById('captcha-form').submit();
        else setTimeout(poll, 300);
      }, function () { setTimeout(poll, 1000); });
  }
  poll();
})();
