/* The scripts' words in the page's language, from the page's #messages element (templates/messages.html):
   OCPPMessages.t("key", {name: value}) fills each {name}. A page without the block shows the keys' English. */
(function () {
  "use strict";
  var node = document.getElementById("messages");
  var table = node ? JSON.parse(node.getAttribute("data-messages")) : {};
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
