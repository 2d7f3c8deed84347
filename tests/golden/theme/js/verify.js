/* /verify/: an id or a scanned address in, the certificate page (or a clear "no such certificate") out.
   The page of each certificate is the source of truth: we ask the server whether it exists. */
(function () {
  "use strict";
  var form = document.getElementById("verify");
  if (!form) { return; }
  var input = document.getElementById("verify-id");
  var result = document.getElementById("verify-result");
  var root = new URL((form.getAttribute("data-root") || ".") + "/", document.baseURI);
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
    notice(result, message, id ? new URL("search/?q=" + encodeURIComponent(id), root).href : null,
           "Search the directory");
  }

  function check(raw) {
    var id = idFrom(raw);
    if (!ID.test(id)) {
      say("“" + raw.trim() + "” is not a certificate id. A certificate number looks like OCA.0016.1268.CSMS.", null);
      return;
    }
    var page = new URL("certificates/" + id + "/", root);
    fetch(page.href, { method: "HEAD", cache: "no-store" }).then(function (response) {
      if (response.ok) {
        window.location.assign(page.href);
      } else {
        say("No OCPP certificate has the id " + id + ".", id);
      }
    }, function () {
      say("The directory could not be reached to check " + id + ". Try again.", null);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    check(input.value);
  });
  var given = new URLSearchParams(window.location.search).get("id");
  if (given) {
    input.value = given;
    check(given);
  }

  // A certificate document: its SHA-256, computed here (the file never leaves the computer), looked up
  // in the documents the directory lists.
  var docForm = document.getElementById("verify-document");
  var fileInput = document.getElementById("verify-file");
  var docResult = document.getElementById("verify-document-result");

  function answer(text, href, linkText) { notice(docResult, text, href, linkText); }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function checkFile(file) {
    if (!file) { return; }
    answer("Checking " + file.name + "…", null);
    var digest = file.arrayBuffer().then(function (data) { return crypto.subtle.digest("SHA-256", data); });
    var listed = fetch(new URL("documents.json", root).href, { cache: "no-store" }).then(function (response) {
      if (!response.ok) { throw new Error("documents.json: " + response.status); }
      return response.json();
    });
    Promise.all([digest, listed]).then(function (both) {
      var found = both[1].documents[hex(both[0])];
      var page = found ? new URL("certificates/" + found.id + "/", root).href : null;
      if (!found) {
        answer("This file is not a document the OCA issued: no certificate document has its fingerprint. " +
               "A document changed in any way no longer matches. Ask for the certificate's number and look it up.",
               new URL("verify/", root).href, "Verify a certificate by its number");
      } else if (found.current) {
        answer("This is the document the OCA issued for " + found.id +
               (found.revision ? " (revision " + found.revision + ")" : "") + ".", page, "See the certificate " + found.id);
      } else {
        answer("This is an earlier revision of " + found.id + " (revision " + found.revision + "), superseded: " +
               "the current document is on the certificate's page.", page, "Get the current document of " + found.id);
      }
    }, function () {
      answer("The file could not be checked: the list of documents could not be read. Try again.", null);
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
