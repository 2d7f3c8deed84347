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

  function idFrom(text) {
    text = text.trim();
    var inUrl = text.match(/\/certificates\/([A-Za-z0-9.-]+)\/?(?:[?#].*)?$/);
    return (inUrl ? inUrl[1] : text).toUpperCase();
  }

  // A notice in ``box``: the message, and a link after it when there is one.
  function notice(box, message, href, linkText) {
    box.textContent = "";
    var p = document.createElement("p");
    p.className = "notice";
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

  function say(message, id) {
    notice(result, message, id ? new URL("search/?q=" + encodeURIComponent(id), home).href : null,
           t("search_directory"));
  }

  function check(raw) {
    var id = idFrom(raw);
    if (!ID.test(id)) {
      say(t("not_an_id", { raw: raw.trim() }), null);
      return;
    }
    var page = new URL("certificates/" + id + "/", home);
    fetch(page.href, { method: "HEAD", cache: "no-store" }).then(function (response) {
      if (response.ok) {
        window.location.assign(page.href);
      } else {
        say(t("no_such_id", { id: id }), id);
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
  var missing = form.hasAttribute("data-not-found") && /\/certificates\/([^/?#]+)/.exec(window.location.pathname);
  if (!given && missing) { given = decodeURIComponent(missing[1]); }
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
      var page = found ? new URL("certificates/" + found.id + "/", home).href : null;
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
