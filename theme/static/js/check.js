/* /check/: a fleet file in, a verdict for each charger out, in the browser (the file never leaves it).
   The rules are plugins/ocpp_directory/model/fleet.py's, written again here and tested against them:
   fold, nameKey, looseKey, readFleet, checkRow. It fetches check/vendors.json, then the file of each
   vendor the file names (check/v/<n>.json, a few vendors each: outputs/check.py). */
(function () {
  "use strict";
  var form = document.getElementById("check");
  if (!form) { return; }
  var t = window.OCPPMessages.t;
  var root = new URL((form.getAttribute("data-root") || ".") + "/", document.baseURI);
  var home = new URL((form.getAttribute("data-home") || form.getAttribute("data-root") || ".") + "/", document.baseURI);
  var status = document.getElementById("check-status");
  var table = document.getElementById("check-results");
  var download = document.getElementById("check-download");
  var SHOWN = 1000, MAX_ROWS = 50000, MAX_BYTES = 20 * 1024 * 1024;
  var COLUMNS = {
    vendor: ["vendor", "chargepointvendor", "vendorname", "chargingstation.vendorname"],
    model: ["model", "chargepointmodel", "chargingstation.model"],
    firmware: ["firmware", "firmwareversion", "chargingstation.firmwareversion", "softwareversion"],
    ocpp_version: ["ocppversion", "ocpp"]
  };
  var SPECIAL = { "ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i", "þ": "th", "ð": "d", "ħ": "h", "ŧ": "t" };
  var WORD = /[\p{L}\p{N}]+/gu;
  var index = null, shards = Object.create(null), legal = Object.create(null);

  function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }

  function fold(text) {
    var s = String(text || "").normalize("NFD").replace(/\p{M}/gu, "").normalize("NFC").toLowerCase();
    return s.replace(/[łđøæœßıþðħŧ]/g, function (c) { return SPECIAL[c]; });
  }
  function words(text) { return fold(text).match(WORD) || []; }
  function nameKey(text) { return words(text).join(""); }
  function looseKey(text) {
    var all = words(text), kept = all.filter(function (w) { return !has(legal, w); });
    return (kept.length ? kept : all).join("");
  }

  /* A CSV line by line, RFC 4180 quotes understood, with the delimiter the header uses most. */
  function parseCSV(text, delimiter) {
    var rows = [], row = [], cell = "", quoted = false, i = 0, c;
    for (; i < text.length; i++) {
      c = text[i];
      if (quoted) {
        if (c === '"') { if (text[i + 1] === '"') { cell += '"'; i++; } else { quoted = false; } }
        else { cell += c; }
      } else if (c === '"' && cell === "") { quoted = true; }
      else if (c === delimiter) { row.push(cell); cell = ""; }
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") { i++; }
        row.push(cell); rows.push(row); row = []; cell = "";
      } else { cell += c; }
    }
    if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
    return rows;
  }

  function FleetError(message) { this.message = message; }

  function readFleet(text) {
    if (text.indexOf("\u0000") >= 0) { throw new FleetError(t("check_binary")); }
    text = text.replace(/^\ufeff/, "");
    var first = text.split(/\r?\n/, 1)[0] || "";
    if (!first.trim()) { throw new FleetError(t("check_empty")); }
    var delimiter = ",";
    [",", ";", "\t"].forEach(function (d) { if (first.split(d).length > first.split(delimiter).length) { delimiter = d; } });
    var rows = parseCSV(text, delimiter);
    var header = rows[0].map(function (h) { return h.trim(); });
    var columns = {};
    Object.keys(COLUMNS).forEach(function (name) {
      header.forEach(function (h, i) {
        var k = h.toLowerCase().replace(/[ _]/g, "");
        if (!has(columns, name) && COLUMNS[name].map(function (n) { return n.replace(/_/g, ""); }).indexOf(k) >= 0) { columns[name] = i; }
      });
    });
    var missing = ["vendor", "model", "firmware"].filter(function (n) { return !has(columns, n); });
    if (missing.length) { throw new FleetError(t("check_no_columns", { columns: missing.join(", "), line: first.slice(0, 80) })); }
    var body = [];
    for (var r = 1; r < rows.length; r++) {
      if (rows[r].some(function (c) { return c.trim(); })) { body.push({ line: r + 1, cells: rows[r] }); }
    }
    if (body.length > MAX_ROWS) { throw new FleetError(t("check_too_many", { n: MAX_ROWS.toLocaleString() })); }
    return { header: header, rows: body, columns: columns };
  }

  function value(fleet, row, name) {
    var at = fleet.columns[name];
    return at === undefined || at >= row.cells.length ? "" : row.cells[at].trim();
  }

  function ocpp(text) { var m = /(\d+(?:\.\d+)+)/.exec(text || ""); return m ? m[1] : ""; }

  function numbers(v) { return (v.match(/\d+/g) || []).map(Number); }
  function bare(firmware) {
    return firmware.trim().toLowerCase().replace(/^(?:v|ver|version)[ .]?/, "").split(/[-+_ ]/)[0];
  }
  function nearest(firmware, versions) {
    var b = bare(firmware);
    function shared(v) { v = v.toLowerCase(); var n = 0; while (n < v.length && n < b.length && v[n] === b[n]) { n++; } return n; }
    return versions.slice().sort(function (a, b) {
      var d = shared(b) - shared(a);
      if (d) { return d; }
      var x = numbers(a), y = numbers(b);
      for (var i = 0; i < Math.min(x.length, y.length); i++) { if (x[i] !== y[i]) { return y[i] - x[i]; } }
      if (x.length !== y.length) { return x.length - y.length; }
      return a < b ? -1 : a > b ? 1 : 0;
    });
  }
  function nearMiss(firmware, versions) {
    var b = bare(firmware);
    for (var i = 0; i < versions.length; i++) { if (versions[i].toLowerCase() === b) { return versions[i]; } }
    return null;
  }

  /* The verdict of one charger, as fleet.check_row gives it (the notes' closest names aside). */
  function checkRow(vendor, model, firmware, version) {
    var vid = index.names[nameKey(vendor)] || index.loose[looseKey(vendor)];
    if (!vid) { return { verdict: "unknown-device", note: t("check_no_vendor", { vendor: vendor }) }; }
    var data = shards[vid], key = nameKey(model);
    var devices = data.devices.filter(function (d) { return key && d.keys.indexOf(key) >= 0; });
    if (!devices.length) { return { verdict: "unknown-device", note: t("check_no_model", { vendor: data.name, model: model }) }; }
    var wanted = ocpp(version), fw = firmware.trim(), certs = [];
    devices.forEach(function (d) { d.certificates.forEach(function (c) { if (!wanted || c.ocpp === wanted) { certs.push(c); } }); });
    var exact = certs.filter(function (c) { return c.version !== null && c.version === fw; }).map(function (c) { return c.id; }).sort();
    if (exact.length) { return { verdict: "certified", certificate: exact.join(" "), certified_versions: "", note: "" }; }
    var seen = {}, versions = [];  // the misses only: the device's certified versions, nearest first
    certs.forEach(function (c) { if (c.version !== null && !has(seen, c.version)) { seen[c.version] = true; versions.push(c.version); } });
    versions = nearest(fw, versions);
    var near = fw ? nearMiss(fw, versions) : null;
    return { verdict: "not-certified", certificate: "", certified_versions: versions.join(" "),
             note: !fw ? t("check_no_firmware") : near ? t("check_near_miss", { firmware: fw, version: near }) :
                   certs.length && !versions.length ? t("check_listing_only") : "" };
  }

  function fetchJSON(url) {
    return fetch(url).then(function (r) { if (!r.ok) { throw new Error(url + ": " + r.status); } return r.json(); });
  }
  function loadIndex() {
    if (!index) {
      index = fetchJSON(new URL("check/vendors.json", root).href).then(function (data) {
        data.legal_forms.forEach(function (w) { legal[w] = true; });
        index = data;
        return data;
      });
    }
    return Promise.resolve(index);
  }

  /* Results: every verdict, the counts, the table (the first SHOWN rows) and the CSV to download. */
  function cell(text) {
    text = String(text);
    if (/^[=+\-@\t\r]/.test(text) || /[,;\t|]\s*[=+\-@]/.test(text)) { text = "'" + text; }
    return /[",;\t|\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function show(fleet, results) {
    var counts = { "certified": 0, "not-certified": 0, "unknown-device": 0 };
    results.forEach(function (r) { counts[r.verdict]++; });
    status.textContent = t("check_summary", { n: results.length.toLocaleString(), certified: counts["certified"].toLocaleString(),
      not: counts["not-certified"].toLocaleString(), unknown: counts["unknown-device"].toLocaleString() });
    var body = table.querySelector("tbody");
    body.textContent = "";
    results.slice(0, SHOWN).forEach(function (r, i) {
      var row = fleet.rows[i], tr = document.createElement("tr");
      tr.className = "verdict-" + r.verdict;
      [String(row.line), value(fleet, row, "vendor"), value(fleet, row, "model"), value(fleet, row, "firmware")].forEach(function (text) {
        var td = document.createElement("td"); td.textContent = text; tr.appendChild(td);
      });
      var v = document.createElement("td");
      v.textContent = t("verdict_" + r.verdict.replace("-", "_"));
      tr.appendChild(v);
      var what = document.createElement("td");
      if (r.certificate) {
        r.certificate.split(" ").forEach(function (id, k) {
          if (k) { what.appendChild(document.createTextNode(" ")); }
          var a = document.createElement("a"); a.href = new URL(window.OCPPAddresses.certificate(id), home).href; a.textContent = id;
          what.appendChild(a);
        });
      } else {
        what.textContent = [r.certified_versions ? t("check_versions", { versions: r.certified_versions.split(" ").join(", ") }) : "", r.note || ""]
          .filter(Boolean).join(" · ");
      }
      tr.appendChild(what);
      body.appendChild(tr);
    });
    table.hidden = false;
    if (results.length > SHOWN) { status.textContent += " " + t("check_first", { n: SHOWN.toLocaleString() }); }
    var lines = [fleet.header.concat(["verdict", "certificate", "certified_versions", "note"]).map(cell).join(",")];
    results.forEach(function (r, i) {
      lines.push(fleet.rows[i].cells.concat([r.verdict, r.certificate || "", r.certified_versions || "", r.note || ""]).map(cell).join(","));
    });
    var link = download.querySelector("a");
    if (link.href.indexOf("blob:") === 0) { URL.revokeObjectURL(link.href); }
    link.href = URL.createObjectURL(new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" }));
    download.hidden = false;
  }

  function run(text) {
    var fleet;
    table.hidden = true; download.hidden = true;
    try { fleet = readFleet(text); } catch (e) {
      if (!(e instanceof FleetError)) { throw e; }
      status.textContent = e.message;
      return Promise.resolve(null);
    }
    status.textContent = t("check_checking", { n: fleet.rows.length.toLocaleString() });
    return loadIndex().then(function () {
      var wanted = Object.create(null);  // the files (a few vendors each) of the vendors the fleet names
      fleet.rows.forEach(function (row) {
        var vendor = value(fleet, row, "vendor");
        var vid = index.names[nameKey(vendor)] || index.loose[looseKey(vendor)];
        if (vid && !shards[vid]) { wanted[index.bucket[vid]] = true; }
      });
      return Promise.all(Object.keys(wanted).map(function (n) {
        return fetchJSON(new URL("check/v/" + n + ".json", root).href).then(function (data) {
          Object.keys(data.vendors).forEach(function (vid) { shards[vid] = data.vendors[vid]; });
        });
      }));
    }).then(function () {
      var results = fleet.rows.map(function (row) {
        return checkRow(value(fleet, row, "vendor"), value(fleet, row, "model"), value(fleet, row, "firmware"),
                        value(fleet, row, "ocpp_version"));
      });
      show(fleet, results);
      return results;
    }, function () { status.textContent = t("check_unreachable"); });
  }

  function readFile(file) {
    if (file.size > MAX_BYTES) { status.textContent = t("check_too_large", { file: file.name }); return; }
    file.text().then(run, function () { status.textContent = t("file_unreadable", { file: file.name }); });
  }
  var fileInput = document.getElementById("check-file");
  fileInput.addEventListener("change", function () { if (fileInput.files[0]) { readFile(fileInput.files[0]); } });
  form.addEventListener("dragover", function (event) { event.preventDefault(); form.classList.add("over"); });
  form.addEventListener("dragleave", function () { form.classList.remove("over"); });
  form.addEventListener("drop", function (event) {
    event.preventDefault(); form.classList.remove("over");
    if (event.dataTransfer.files[0]) { readFile(event.dataTransfer.files[0]); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(document.getElementById("check-text").value);
  });
  // For the tests: the rules, to compare with Python's on the same rows.
  window.OCPPFleet = { run: run, nameKey: nameKey, looseKey: looseKey, load: loadIndex };
})();
