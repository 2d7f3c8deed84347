/* A certificate page checks its entry in the certificate log: the entry (log.json beside the page)
   and its inclusion proof, read from the log's tiles (tlog-tiles.js), lead to the root the log's
   checkpoint states (RFC 6962, SHA-256 with WebCrypto), and the checkpoint is signed by the OCA's
   log key (Ed25519 with WebCrypto, where the browser has it). Without JavaScript the page states
   the entry, unverified. */
(function () {
  "use strict";
  var section = document.querySelector(".log-entry");
  var status = document.getElementById("log-status");
  if (!section || !status || !window.crypto || !crypto.subtle || !window.OCPPTiles) { return; }
  var vkey = section.getAttribute("data-vkey");
  var id = document.querySelector(".cert-id").textContent.trim();
  var t = window.OCPPMessages.t;
  function count(n) { return n.toLocaleString(window.OCPPMessages.lang); }

  function bytes(b64) { return Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); }); }
  var node = window.OCPPTiles.node;
  function same(a, b) { return a.length === b.length && a.every(function (v, i) { return v === b[i]; }); }

  // RFC 9162, 2.1.3.2: the root an inclusion proof leads to (null if the proof is malformed).
  function rootFrom(leaf, index, size, proof) {
    var fn = index, sn = size - 1, r = Promise.resolve(leaf);
    if (index >= size) { return Promise.resolve(null); }
    return proof.reduce(function (acc, p) {
      return acc.then(function (h) {
        if (h === null || sn === 0) { return null; }
        var next;
        if (fn & 1 || fn === sn) {
          next = node(p, h);
          if (!(fn & 1)) { while (fn !== 0 && !(fn & 1)) { fn >>= 1; sn >>= 1; } }
        } else {
          next = node(h, p);
        }
        fn >>= 1; sn >>= 1;
        return next;
      });
    }, r).then(function (h) { return sn === 0 ? h : null; });
  }

  function say(text, ok) {
    status.textContent = text;
    status.className = ok ? "log-ok" : "log-failed";
  }

  function checkSignature(note) {
    // C2SP signed-note: the text, a blank line, "— <name> base64(key ID || signature)" lines.
    var parts = vkey.split("+"), name = parts[0], keyId = parts[1], key = bytes(parts.slice(2).join("+")).slice(1);
    var cut = note.lastIndexOf("\n\n");
    if (cut < 0) { return Promise.resolve("unsigned"); }
    var text = new TextEncoder().encode(note.slice(0, cut + 1));
    var line = note.slice(cut + 2).split("\n").filter(function (l) { return l.indexOf("\u2014 " + name + " ") === 0; })[0];
    if (!line) { return Promise.resolve("unsigned"); }
    var raw = bytes(line.slice(("\u2014 " + name + " ").length));
    var hexId = Array.prototype.map.call(raw.slice(0, 4), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    if (hexId !== keyId) { return Promise.resolve("other key"); }
    return crypto.subtle.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]).then(function (k) {
      return crypto.subtle.verify({ name: "Ed25519" }, k, raw.slice(4), text);
    }).then(function (ok) { return ok ? "valid" : "invalid"; }, function () { return "unsupported"; });
  }

  var checkpointUrl = section.getAttribute("data-checkpoint") || "../../log/checkpoint";
  Promise.all([
    fetch(section.getAttribute("data-entry") || "log.json", { cache: "no-store" }).then(function (r) { return r.json(); }),
    fetch(checkpointUrl, { cache: "no-store" }).then(function (r) { return r.text(); })
  ]).then(function (both) {
    var held = both[0], note = both[1];
    var cut = note.lastIndexOf("\n\n");
    var lines = (cut < 0 ? note : note.slice(0, cut + 1)).split("\n");
    var size = Number(lines[1]), root = bytes(lines[2]);
    var entry = bytes(held.entry);
    var record = JSON.parse(new TextDecoder().decode(entry));
    var number = count(held.index + 1);
    if (record.id !== id) { return say(t("log_other", { n: number }), false); }
    if (held.index >= size) { return say(t("log_newer", { n: number, size: count(size) }), false); }
    var base = checkpointUrl.slice(0, checkpointUrl.lastIndexOf("/") + 1);
    return Promise.all([
      window.OCPPTiles.leaf(entry),
      window.OCPPTiles.proof(base, held.index, size)
    ]).then(function (both) {
      return rootFrom(both[0], held.index, size, both[1]);
    }).then(function (computed) {
      if (computed === null || !same(computed, root)) {
        return say(t("log_bad_proof", { n: number }), false);
      }
      if (!vkey) {
        return say(t("log_unsigned", { n: number, size: count(size) }), true);
      }
      return checkSignature(note).then(function (signature) {
        if (signature === "valid") {
          say(t("log_signed", { n: number, size: count(size) }), true);
        } else if (signature === "unsupported") {
          say(t("log_no_ed25519", { n: number }), true);
        } else {
          say(t(signature === "invalid" ? "log_bad_signature" : "log_no_signature", { n: number }), false);
        }
      });
    });
  }).catch(function () {
    say(t("log_unreadable", { status: status.textContent }), false);
  });
})();
