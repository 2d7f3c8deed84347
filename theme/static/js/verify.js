/* /verify/: an id or a scanned address in, the certificate page (or a clear "no such certificate") out.
   The page of each certificate is the source of truth: we ask the server whether it exists. */
(function () {
  "use strict";
  var form = document.getElementById("verify");
  if (!form) { return; }
  var input = document.getElementById("verify-id");
  var result = document.getElementById("verify-result");
  var root = new URL((form.getAttribute("data-root") || ".") + "/", document.baseURI);
  // Pages in the page's language (data-home); the data files at the root.
  var home = new URL((form.getAttribute("data-home") || form.getAttribute("data-root") || ".") + "/", document.baseURI);
  var t = window.OCPPMessages.t;
  var ID = /^[A-Z0-9][A-Z0-9.-]{2,49}$/;

  /* The id in what was typed or scanned: an address's last /certificates/<id>/, or the text itself, with
     spaces read as the dots of the number ("OCA 0201 0026 CS", as read aloud or copied from a PDF). */
  function idFrom(text) {
    text = text.trim();
    var inUrl = window.OCPPAddresses.idIn(text);
    if (inUrl) { return inUrl.toUpperCase(); }
    var dotted = text.replace(/[\s.]+/g, ".").replace(/\.+$/, "").toUpperCase();
    return /^(W\d{2}\.)?OCA\.\d{4}\.\d{4}(\.[A-Z]+)?$/.test(dotted) ? dotted : text.toUpperCase();
  }

  /* The host of a scanned address when it is neither the directory's public address (what its labels'
     codes encode, data-public) nor the one this page came from: a label's code must point here. */
  var publicHost = null;
  try { publicHost = new URL(form.getAttribute("data-public") || "").host; } catch (e) { publicHost = null; }
  function otherHost(text) {
    var url;
    try { url = new URL(text.trim()); } catch (e) { return null; }
    if (!/^https?:$/.test(url.protocol)) { return null; }
    return url.host !== home.host && url.host !== publicHost ? url.host : null;
  }

  // A notice in ``box``: the message, and a link after it when there is one.
  function notice(box, message, href, linkText, kind) {
    if (!kind || kind !== "more") { box.textContent = ""; }
    var p = document.createElement("p");
    p.className = "notice" + (kind && kind !== "more" ? " " + kind : "");
    p.textContent = message;
    if (href) {
      p.appendChild(document.createTextNode(" "));
      var link = document.createElement("a");
      link.href = href;
      link.textContent = linkText;
      p.appendChild(link);
      p.appendChild(document.createTextNode("."));
    }
    box.appendChild(p);
  }

  function say(message, id, kind) {
    notice(result, message, id ? new URL("search/?q=" + encodeURIComponent(id), home).href : null,
           t("search_directory"), kind);
  }

  function exists(id) {
    return fetch(new URL(window.OCPPAddresses.certificate(id), home).href, { method: "HEAD", cache: "no-store" })
      .then(function (response) { return response.ok; });
  }

  /* A number without its device type ("OCA.0201.0026"): the one certificate it can be, if one. */
  function suggest(id) {
    if (!/^OCA\.\d{4}\.\d{4}$/.test(id)) { return Promise.resolve(null); }
    var candidates = [id + ".CS", id + ".CSMS"];
    return Promise.all(candidates.map(exists)).then(function (found) {
      var hits = candidates.filter(function (c, i) { return found[i]; });
      return hits.length === 1 ? hits[0] : null;
    }, function () { return null; });
  }

  function check(raw) {
    var id = idFrom(raw);
    var host = otherHost(raw);
    if (!ID.test(id)) {
      say(t("not_an_id", { raw: raw.trim() }), null, "refused");
      return;
    }
    var page = new URL(window.OCPPAddresses.certificate(id), home);
    exists(id).then(function (ok) {
      if (ok && !host) {
        window.location.assign(page.href);
      } else if (ok) {  // a code that points elsewhere: the label is suspect, whatever the id
        say(t("other_host", { host: host, ours: publicHost || home.host }), null, "refused");
        notice(result, t("other_host_known", { id: id }), page.href, t("see", { id: id }), "more");
      } else {
        suggest(id).then(function (meant) {
          say(t("no_such_id", { id: id }), id, "refused");
          if (host) { notice(result, t("other_host", { host: host, ours: publicHost || home.host }), null, null, "more"); }
          if (meant) {
            notice(result, t("did_you_mean", { id: meant }), new URL(window.OCPPAddresses.certificate(meant), home).href,
                   t("see", { id: meant }), "more");
          }
        });
      }
    }, function () {
      say(t("unreachable", { id: id }), null);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    check(input.value);
  });
  var given = new URLSearchParams(window.location.search).get("id");
  // On the page of an address that does not exist (404.html), an address under /certificates/ is the id a
  // label or a link gave: say whether a certificate has it.
  var missing = form.hasAttribute("data-not-found") && window.OCPPAddresses.idIn(window.location.pathname);
  if (!given && missing) { given = missing; }
  if (given) {
    input.value = given;
    check(given);
  }

  // A certificate document: its SHA-256, computed here (the file never leaves the computer), looked up
  // in the documents the directory lists.
  var docForm = document.getElementById("verify-document");
  var fileInput = document.getElementById("verify-file");
  var docResult = document.getElementById("verify-document-result");
  if (!docForm) { return; }  // the page of a missing address has only the id form

  function answer(text, href, linkText) { notice(docResult, text, href, linkText); }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // No certificate document is larger (the directory refuses documents over 20 MB): a larger file is not
  // read into memory, and is not one the OCA issued.
  var DOCUMENT_MAX = 20 * 1024 * 1024;

  function checkFile(file) {
    if (!file) { return; }
    if (file.size > DOCUMENT_MAX) {
      answer(t("too_large", { file: file.name, mb: Math.round(file.size / 1048576) }), null);
      return;
    }
    answer(t("checking", { file: file.name }), null);
    var unreadable = false;
    var digest = file.arrayBuffer().then(function (data) { return crypto.subtle.digest("SHA-256", data); },
                                         function (error) { unreadable = true; throw error; });
    var listed = fetch(new URL("documents.json", root).href, { cache: "no-store" }).then(function (response) {
      if (!response.ok) { throw new Error("documents.json: " + response.status); }
      return response.json();
    });
    Promise.all([digest, listed]).then(function (both) {
      var found = both[1].documents[hex(both[0])];
      var page = found ? new URL(window.OCPPAddresses.certificate(found.id), home).href : null;
      if (!found) {
        answer(t("not_issued"), new URL("verify/", home).href, t("verify_by_number"));
      } else if (found.current) {
        answer(t(found.revision ? "issued_for_revision" : "issued_for", { id: found.id, revision: found.revision }),
               page, t("see", { id: found.id }));
      } else {
        answer(t("earlier", { id: found.id, revision: found.revision }), page, t("current_of", { id: found.id }));
      }
    }, function () {
      answer(t(unreadable ? "file_unreadable" : "documents_unreadable", { file: file.name }), null);
    });
  }

  fileInput.addEventListener("change", function () { checkFile(fileInput.files[0]); });
  docForm.addEventListener("dragover", function (event) { event.preventDefault(); docForm.classList.add("over"); });
  docForm.addEventListener("dragleave", function () { docForm.classList.remove("over"); });
  docForm.addEventListener("drop", function (event) {
    event.preventDefault();
    docForm.classList.remove("over");
    checkFile(event.dataTransfer.files[0]);
  });
  docForm.addEventListener("submit", function (event) { event.preventDefault(); });
})();
