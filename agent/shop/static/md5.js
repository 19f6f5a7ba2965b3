/* MD5 (RFC 1321) of a string's UTF-8 bytes, as lowercase hex: what the site's H5 SDK signs mtop calls
   with. Small and self-contained; a test compares it with Python's hashlib through the browser. */
(function () {
  'use strict';
  var S = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21];
  var K = [];
  for (var i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0;

  function utf8(text) {
    return Array.prototype.slice.call(new TextEncoder().encode(text));
  }

  function md5(text) {
    var bytes = utf8(String(text)), bitLen = bytes.length * 8;
    bytes.push(0x80);
    while (bytes.length % 64 !== 56) bytes.push(0);
    for (var b = 0; b < 8; b++) bytes.push(b < 4 ? (bitLen >>> (8 * b)) & 0xff : 0);  // < 512 MB of text
    var h = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476];
    for (var off = 0; off < bytes.length; off += 64) {
      var w = [];
      for (var j = 0; j < 16; j++) {
        var p = off + j * 4;
        w[j] = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24);
      }
      var a = h[0], bb = h[1], c = h[2], d = h[3];
      for (var k = 0; k < 64; k++) {
        var f, g;
        if (k < 16) { f = (bb & c) | (~bb & d); g = k; }
        else if (k < 32) { f = (d & bb) | (~d & c); g = (5 * k + 1) % 16; }
        else if (k < 48) { f = bb ^ c ^ d; g = (3 * k + 5) % 16; }
        else { f = c ^ (bb | ~d); g = (7 * k) % 16; }
        var sum = (a + f + K[k] + w[g]) | 0;
        a = d; d = c; c = bb;
        bb = (bb + ((sum << S[k]) | (sum >>> (32 - S[k])))) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + bb) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
    }
    var hex = '';
    for (var n = 0; n < 4; n++) {
      for (var m = 0; m < 4; m++) hex += ((h[n] >>> (8 * m)) & 0xff).toString(16).padStart(2, '0');
    }
    return hex;
  }

  window.ShopMd5 = md5;
})();
