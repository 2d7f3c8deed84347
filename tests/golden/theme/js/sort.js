/* Sortable certificate tables: progressive enhancement.
   Without JavaScript the table is complete and ordered newest first; with it,
   each column header becomes a button that sorts by that column. */
(function () {
  "use strict";
  function cellText(row, index) {
    var cell = row.cells[index];
    var time = cell.querySelector("time");
    return (time ? time.getAttribute("datetime") : cell.textContent).trim();
  }
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  function sortBy(table, index, direction) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var result = collator.compare(cellText(a, index), cellText(b, index));
      return direction === "ascending" ? result : -result;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    body.appendChild(fragment);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      if (i === index) { th.setAttribute("aria-sort", direction); } else { th.removeAttribute("aria-sort"); }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var next = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        sortBy(table, index, next);
      });
    });
  });
})();
