/* The scripts' words in the page's language, from theme/js/messages.<lang>.js, loaded before this
   (templates/messages_script.html): OCPPMessages.t("key", {name: value}) fills each {name}. Without
   that file the keys themselves are shown. */
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
})();
