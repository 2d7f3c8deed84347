/* The scripts' words in the page's language, from theme/js/messages.<lang>.js, loaded before this
   (templates/messages_script.html): OCPPMessages.t("key", {name: value}) fills each {name}. Without
   that file the keys themselves are shown.

   And a certificate's address, as the site's one owner of addresses spells it (model/addresses.py,
   given to the page as data-certificate: "certificates/{id}/"): OCPPAddresses.certificate(id), below the
   page's home; OCPPAddresses.idIn(text), the id an address (or a path) names, or null. */
(function () {
  "use strict";
  var table = window.OCPPMessageTable || {};
  window.OCPPMessages = {
    lang: table.lang || document.documentElement.lang || "en",
    t: function (key, values) {
      var text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : key;
      return text.replace(/\{(\w+)\}/g, function (whole, name) {
        return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
      });
    }
  };
  var holder = document.querySelector("[data-certificate]");
  var pattern = holder ? holder.getAttribute("data-certificate") : null;
  var prefix = pattern ? pattern.split("{id}")[0].replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&") : null;
  window.OCPPAddresses = {
    certificate: function (id) { return pattern.replace("{id}", encodeURIComponent(id)); },
    idIn: function (text) {
      var found = prefix && new RegExp("/" + prefix + "([A-Za-z0-9.%-]+)(?:[/?#]|$)").exec(text);
      if (!found) { return null; }
      try { return decodeURIComponent(found[1]); } catch (e) { return found[1]; }
    }
  };
})();
