/* Inclusion proofs read from the certificate log's tiles, as C2SP tlog-tiles clients compute them.

   OCPPTiles.proof(base, index, size) resolves to RFC 6962's PATH(index, D[0:size]) (the sibling
   hashes, deepest first) for the tree of `size` leaves, reading tiles below `base` (the folder of
   the log's checkpoint). A tile at level L holds up to 256 hashes of the tree's nodes 8 * L levels
   above the leaves (tile/<L>/<N>, partial tiles tile/<L>/<N>.p/<W>); any subtree is hashed from the
   fewest of them. A certificate's log.json therefore holds only its entry and index, which never
   change as the log grows. Rejects when a tile cannot be read or has the wrong length.
   OCPPTiles.leaf(entry) and OCPPTiles.node(left, right) are RFC 6962's hashes (log-check.js uses them). */
(function () {
  "use strict";
  var WIDTH = 256, HASH = 32;

  function sha(data) { return crypto.subtle.digest("SHA-256", data).then(function (h) { return new Uint8Array(h); }); }
  function leaf(entry) {
    var data = new Uint8Array(1 + entry.length);
    data.set(entry, 1);
    return sha(data);
  }
  function node(left, right) {
    var data = new Uint8Array(1 + 2 * HASH);
    data[0] = 1;
    data.set(left, 1);
    data.set(right, 1 + HASH);
    return sha(data);
  }
  // The largest power of two smaller than n (n > 1).
  function split(n) { var k = 1; while (k * 2 < n) { k *= 2; } return k; }
  // A tile index as path elements of three digits, all but the last prefixed with "x".
  function tileIndex(n) {
    var parts = [];
    do { parts.unshift(("00" + (n % 1000)).slice(-3)); n = Math.floor(n / 1000); } while (n > 0);
    return parts.map(function (p, i) { return i < parts.length - 1 ? "x" + p : p; }).join("/");
  }
  // Hash pairs level by level until one hash is left (their count is a power of two).
  function up(hashes) {
    if (hashes.length === 1) { return Promise.resolve(hashes[0]); }
    var pairs = [];
    for (var i = 0; i < hashes.length; i += 2) { pairs.push(node(hashes[i], hashes[i + 1])); }
    return Promise.all(pairs).then(up);
  }

  function reader(base, size) {
    var tiles = {};
    function tile(level, n) {
      var count = Math.floor(size / Math.pow(WIDTH, level)); // nodes 8 * level above the leaves
      var width = Math.min(WIDTH, count - n * WIDTH);
      var path = base + "tile/" + level + "/" + tileIndex(n) + (width < WIDTH ? ".p/" + width : "");
      if (!tiles[path]) {
        tiles[path] = fetch(path).then(function (response) {
          if (!response.ok) { throw new Error(path + ": " + response.status); }
          return response.arrayBuffer();
        }).then(function (buffer) {
          if (buffer.byteLength !== width * HASH) { throw new Error(path + ": not " + width + " hashes"); }
          return new Uint8Array(buffer);
        });
      }
      return tiles[path];
    }
    // The hash of the complete subtree of height h whose leaves start at leaf j * 2^h.
    function complete(h, j) {
      var level = Math.floor(h / 8), below = Math.pow(2, h % 8), first = j * below, n = Math.floor(first / WIDTH);
      return tile(level, n).then(function (hashes) {
        var picked = [];
        for (var i = 0; i < below; i++) {
          var at = (first - n * WIDTH + i) * HASH;
          picked.push(hashes.subarray(at, at + HASH));
        }
        return up(picked);
      });
    }
    // MTH(D[a:b]).
    function subtree(a, b) {
      var n = b - a, h = Math.log2(n);
      if (Number.isInteger(h) && a % n === 0) { return complete(h, a / n); }
      var k = split(n);
      return Promise.all([subtree(a, a + k), subtree(a + k, b)]).then(function (p) { return node(p[0], p[1]); });
    }
    // PATH(m, D[a:b]), m counted from a.
    function path(m, a, b) {
      var n = b - a;
      if (n === 1) { return Promise.resolve([]); }
      var k = split(n);
      var below = m < k ? path(m, a, a + k) : path(m - k, a + k, b);
      var sibling = m < k ? subtree(a + k, b) : subtree(a, a + k);
      return Promise.all([below, sibling]).then(function (p) { return p[0].concat([p[1]]); });
    }
    return path;
  }

  window.OCPPTiles = {
    leaf: leaf,
    node: node,
    proof: function (base, index, size) {
      if (!(index >= 0 && index < size)) { return Promise.reject(new Error("no leaf " + index + " of " + size)); }
      return reader(base, size)(index, 0, size);
    }
  };
})();
