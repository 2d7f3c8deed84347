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

  function say(message, id) {
    result.textContent = "";
    var p = document.createElement("p");
    p.className = "notice";
    p.textContent = message;
    if (id) {
      p.appendChild(document.createTextNode(" "));
      var link = document.createElement("a");
      link.href = new URL("search/?q=" + encodeURIComponent(id), root).href;
      link.textContent = "Search the directory";
      p.appendChild(link);
      p.appendChild(document.createTextNode("."));
    }
    result.appendChild(p);
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
})();
