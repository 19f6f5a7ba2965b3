/* Fixture shop: helpers shared by the pages. Every piece of data goes into the DOM as text (never
   innerHTML): order titles are hostile input. */
(function () {
  'use strict';
  var boot = JSON.parse(document.getElementById('shop-boot').textContent);
  var T = boot.i18n;

  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'class') el.className = v;
      else if (k.indexOf('on') === 0) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    });
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function append(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(el, c); }); return; }
    el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }

  function param(name) { return new URLSearchParams(location.search).get(name); }

  function goLogin() {
    location.href = boot.loginUrl + '?return_url=' + encodeURIComponent(location.href);
  }

  function SessionExpired() { this.message = 'session expired'; }

  /* The MTOP transport, like the site's H5 SDK: every call signed with md5(token&t&appKey&data), where
     token is the `_m_h5_tk` cookie's part before "_" and data the exact string sent (GET: ?data=,
     POST: a form field data=). The gateway rotates the token through Set-Cookie; the call is then
     re-signed with a fresh t and sent again (at most 3 rounds). Resolves to the JSON envelope. */
  var TOKEN_CODES = ['FAIL_SYS_TOKEN_EMPTY', 'FAIL_SYS_TOKEN_EXOIRED', 'FAIL_SYS_ILLEGAL_ACCESS'];
  var TOKEN_ROUNDS = 3;

  function cookie(name) {
    var found = document.cookie.split('; ').filter(function (c) { return c.indexOf(name + '=') === 0; })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : '';
  }

  function send(name, text, method) {
    var t = String(Date.now()), token = cookie('_m_h5_tk').split('_')[0];
    var query = new URLSearchParams({jsv: '2.5.1', appKey: boot.appKey, t: t,
      sign: window.ShopMd5(token + '&' + t + '&' + boot.appKey + '&' + text), api: boot.apiNames[name], v: '1.0',
      type: 'originaljson', dataType: 'json', timeout: '15000', ecode: '1', needLogin: 'true'});
    var url = boot.api[name] + '?' + query, init = {credentials: 'same-origin'};
    if (method === 'POST') {
      init.method = 'POST';
      init.body = new URLSearchParams({data: text});
    } else {
      url += '&data=' + encodeURIComponent(text);
    }
    return fetch(url, init).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    });
  }

  function callApi(name, data, method) {
    var text = JSON.stringify(data), rounds = 0;  // serialised once: every round signs these same bytes
    function attempt() {
      return send(name, text, method).then(function (body) {
        var ret = (body.ret && body.ret[0]) || '';
        if (ret.indexOf('FAIL_SYS_SESSION_EXPIRED') === 0) { goLogin(); throw new SessionExpired(); }
        var token = TOKEN_CODES.some(function (c) { return ret.indexOf(c) === 0; });
        if (token && ++rounds < TOKEN_ROUNDS) return attempt();
        return body;
      });
    }
    return attempt();
  }
  function retOf(body) {
    var ret = (body.ret && body.ret[0]) || '', cut = ret.indexOf('::');
    return {ok: ret.indexOf('SUCCESS') === 0, code: ret.slice(0, cut), msg: ret.slice(cut + 2)};
  }
  /* Components in display order: data.hierarchy.structure[key] (never the key order of data.data). */
  function children(body, key) {
    var d = body.data;
    return (d.hierarchy.structure[key] || []).map(function (k) { return d.data[k]; });
  }
  function byTag(body, tag) {
    var all = body.data.data;
    for (var k in all) if (all[k].tag === tag) return all[k];
    return null;
  }
  function keyOf(body, tag) {
    var all = body.data.data;
    for (var k in all) if (all[k].tag === tag) return k;
    return null;
  }

  /* A money text; with price_chars one span per character, like the real site's anti-scraping. */
  function price(text) {
    if (!boot.priceChars) return document.createTextNode(text);
    return h('span', {class: 'es--wrap--x9'}, text.split('').map(function (c) {
      return h('span', {class: 'es--char--k2'}, c);
    }));
  }

  function errorBlock(cls, retry) {
    return h('div', {class: cls, role: 'alert'}, h('p', null, T.load_error),
      h('button', {class: 'comet-btn order-retry', type: 'button', onclick: retry}, T.try_again));
  }

  /* Overlays (popups=[coupon, cookie]; the chat widget is placed by the detail page). */
  function initPopups() {
    var popups = boot.popups || [];
    if (popups.indexOf('cookie') >= 0 && !localStorage.getItem('shop-cookie-ok')) {
      var banner = h('div', {class: 'cookie-banner', role: 'region', 'aria-label': 'Cookies'},
        h('span', null, T.cookie_text),
        h('button', {class: 'comet-btn comet-btn-primary cookie-accept', type: 'button', onclick: function () {
          localStorage.setItem('shop-cookie-ok', '1'); banner.remove();
        }}, T.accept));
      document.body.appendChild(banner);
    }
    if (popups.indexOf('coupon') >= 0 && !sessionStorage.getItem('shop-coupon-closed')) {
      setTimeout(showCoupon, 400);  // "shortly after load", like the real site
    }
  }
  function showCoupon() {
    var layer = h('div', {class: 'coupon-layer', role: 'dialog', 'aria-label': T.coupon_title},
      h('div', {class: 'coupon-card'},
        h('img', {class: 'close-btn', src: '/static/close.svg', alt: T.close, role: 'button', onclick: function () {
          sessionStorage.setItem('shop-coupon-closed', '1'); layer.remove();
        }}),
        h('h2', null, T.coupon_title), h('button', {class: 'comet-btn comet-btn-primary', type: 'button'}, T.coupon_cta)));
    document.body.appendChild(layer);
  }
  function showChat(over) {
    if ((boot.popups || []).indexOf('chat') < 0 || document.getElementById('J_xiaomi_dialog')) return;
    var chat = h('div', {id: 'J_xiaomi_dialog', role: 'complementary', 'aria-label': T.chat_title},
      h('button', {class: 'close-layer', type: 'button', 'aria-label': T.close, onclick: function () { chat.remove(); }}, '×'),
      h('strong', null, T.chat_title), h('p', null, T.chat_body));
    document.body.appendChild(chat);
    var r = over.getBoundingClientRect();  // sits right over the detail page's button bar
    chat.style.left = (r.left + window.scrollX) + 'px';
    chat.style.top = (r.top + window.scrollY - 8) + 'px';
    chat.style.width = Math.max(340, r.width) + 'px';
    chat.style.minHeight = (r.height + 16) + 'px';
  }

  window.Shop = {boot: boot, T: T, h: h, param: param, goLogin: goLogin, callApi: callApi, retOf: retOf,
    children: children, byTag: byTag, keyOf: keyOf, price: price, errorBlock: errorBlock,
    initPopups: initPopups, showChat: showChat, SessionExpired: SessionExpired};
})();
