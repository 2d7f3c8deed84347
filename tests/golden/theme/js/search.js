/* /search/: the page side. The worker (and with it the index) starts when the
   search box is first focused, or at once when the URL already holds a search.
   The form's fields are the state; the URL mirrors them (?q=...&profile=...). */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) { return; }
  var input = document.getElementById("q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var clear = document.getElementById("search-clear");
  var chips = document.getElementById("search-chips");
  var versions = document.getElementById("search-versions");
  var root = new URL((form.getAttribute("data-root") || ".") + "/", document.baseURI);
  var home = new URL((form.getAttribute("data-home") || form.getAttribute("data-root") || ".") + "/", document.baseURI);
  var t = window.OCPPMessages.t;
  var version = form.getAttribute("data-version");
  // The OCA's one-letter notations (S, L, C, ...): typed alone, each stands for its profile's filter.
  var notations = JSON.parse(form.getAttribute("data-notations") || "{}");
  var urls = {
    meta: new URL("search/meta.json?v=" + version, root).href,
    base: new URL("search/", root).href,
    version: version
  };
  var worker = null, sequence = 0, limit = 50;
  form.classList.add("live");
  // On narrow screens the filters are a panel: its button opens and closes it and counts the filters set.
  var toggle = document.getElementById("filters-toggle");
  var panel = document.getElementById("facets");
  function countFilters() {
    var set = form.querySelectorAll(".facets input[type=checkbox]:checked").length;
    toggle.textContent = set ? t("filters_set", { n: set }) : t("filters");
  }
  toggle.addEventListener("click", function () {
    var open = panel.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { var first = panel.querySelector("summary"); if (first) { first.focus(); } }
  });
  form.addEventListener("change", countFilters);

  function start() {
    if (!worker) {
      // The worker reads the index's files: a browser that kept an older worker fetches the one
      // that reads this index (its version changes with the files' format).
      worker = new Worker(new URL("theme/js/search-worker.js?v=" + version, root).href);
      worker.onmessage = function (event) { if (event.data.type === "results") { show(event.data); } };
      worker.postMessage({ type: "load", urls: urls });
    }
  }

  function state() {
    var filters = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]:checked"), function (box) {
      (filters[box.name] = filters[box.name] || []).push(box.value);
    });
    return { q: input.value, filters: filters };
  }

  function queryString() {
    var params = new URLSearchParams();
    var s = state();
    if (s.q.trim()) { params.append("q", s.q.trim()); }
    Object.keys(s.filters).forEach(function (key) {
      s.filters[key].forEach(function (value) { params.append(key, value); });
    });
    var text = params.toString();
    return text ? "?" + text : location.pathname;
  }

  /* The filters set, as buttons that remove them: on every width, above the results, so that a search
     with no results shows why. */
  function showChips() {
    chips.textContent = "";
    var boxes = form.querySelectorAll(".facets input[type=checkbox]:checked");
    Array.prototype.forEach.call(boxes, function (box) {
      var chip = element("button", "chip", box.getAttribute("data-label") + " ×");
      chip.type = "button";
      chip.setAttribute("aria-label", t("remove_filter", { label: box.getAttribute("data-label") }));
      chip.addEventListener("click", function () {
        box.checked = false;
        countFilters();
        limit = 50;
        run("push");
        input.focus();
      });
      chips.appendChild(chip);
    });
    chips.hidden = boxes.length === 0;
  }

  function run(history) {
    start();
    showChips();
    var s = state();
    if (history === "push") { window.history.pushState(null, "", queryString()); }
    else if (history === "replace") { window.history.replaceState(null, "", queryString()); }
    sequence += 1;
    var letter = notations[s.q.trim()];
    if (letter) {  // "S": the certificates with the profile the OCA writes S, whatever else is chosen
      var filters = {};
      Object.keys(s.filters).forEach(function (key) { filters[key] = s.filters[key].slice(); });
      filters.profile = (filters.profile || []).concat(letter.filter(function (v) {
        return (filters.profile || []).indexOf(v) < 0;
      }));
      worker.postMessage({ type: "search", id: sequence, supersedes: true, q: "", filters: filters, limit: limit,
                           urls: urls });
      return;
    }
    // One letter would match most of the index (slow on a large directory, and no help).
    if (s.q.trim().length === 1 && !Object.keys(s.filters).length) {
      status.textContent = t("second_character");
      list.textContent = "";
      more.hidden = true;
      return;
    }
    worker.postMessage({ type: "search", id: sequence, supersedes: true, q: s.q, filters: s.filters, limit: limit,
                         urls: urls });
  }

  function restore() {
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (box) {
      box.checked = params.getAll(box.name).indexOf(box.value) >= 0;
    });
    return params.toString() !== "";
  }

  /* Nothing matched a software version: the versions the device is certified for, nearest first. */
  function showVersions(devices) {
    versions.textContent = "";
    devices.forEach(function (d) {
      var line = element("p");
      var link = element("a", null, t("certified_versions", { device: d.device, vendor: d.vendor }));
      link.href = new URL(d.device_url, home).href;
      line.appendChild(link);
      line.appendChild(document.createTextNode(" " + d.versions.join(", ")));
      versions.appendChild(line);
    });
    versions.hidden = devices.length === 0;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  /* The worker answers up to three times for a long list: the best result as soon as it is here,
     the first six, then all of them; each answer appends to the one before. The counts per filter
     come with the last answer (on the first search, once the facets' files are here). */
  var partial = null;

  function show(data) {
    if (data.id !== sequence) { return; }  // an older answer
    var s = state();
    var filtered = Object.keys(s.filters).length > 0;
    var text;
    var q = s.q.trim();
    if (data.total === 0) {
      text = t("no_match" + (q ? "_q" : "") + (filtered ? (q ? "_filters" : "_filters") : ""), { q: q });
    } else {
      var n = data.total.toLocaleString(window.OCPPMessages.lang);
      text = t((q || filtered ? "match" : "count") + (data.total === 1 ? "_one" : ""), { n: n });
    }
    var again = partial !== null && partial.id === data.id;  // a later answer to the same search
    var from = again ? partial.shown : 0;
    if (data.inexact && data.inexact.length) { text += " " + t("version_differs", { v: data.inexact.join(", ") }); }
    if (!again) { status.textContent = text; }  // announced once a search (aria-live)
    if (!again) { showVersions(data.versions || []); }
    clear.hidden = !filtered;
    if (!again) { list.textContent = ""; }
    data.results.slice(from).forEach(function (r) {
      var item = element("li", "result");
      var title = element("a", "result-title");
      title.href = new URL(window.OCPPAddresses.certificate(r.id), home).href;
      title.appendChild(element("span", "cert-id", r.id));
      title.appendChild(document.createTextNode(" " + r.vendor + " · " + r.device));
      item.appendChild(title);
      var meta = element("p", "meta");
      meta.textContent = (r.software_version === null ? t("version_none") : t("version", { v: r.software_version })) +
        " · " + (r.type || r.profiles.join("; ")) + " · " + t("issued") + " ";
      if (r.type) { meta.title = r.profiles.join("; "); }
      var time = element("time", null, window.OCPPMessages.lang === "en" ? r.issued :
        new Intl.DateTimeFormat(window.OCPPMessages.lang, { dateStyle: "long", timeZone: "UTC" })
          .format(new Date(r.issued + "T00:00:00Z")));
      time.setAttribute("datetime", r.issued);
      meta.appendChild(time);
      item.appendChild(meta);
      list.appendChild(item);
    });
    partial = data.complete === false ? { id: data.id, shown: data.results.length } : null;
    list.setAttribute("aria-busy", partial ? "true" : "false");  // more of this answer is coming
    more.hidden = data.complete === false || data.results.length >= data.total;
    (data.counts || []).forEach(function (facet) {
      facet.values.forEach(function (count, i) {
        var box = document.getElementById("f-" + facet.key + "-" + i);
        if (!box) { return; }
        box.parentNode.querySelector(".count").textContent = "(" + count + ")";
        box.parentNode.classList.toggle("empty", count === 0 && !box.checked);
      });
    });
  }

  input.addEventListener("focus", start, { once: true });
  // At once, not from a timer: a timer set while typing waits for the next frame (10 to 17 ms).
  input.addEventListener("input", function () { limit = 50; run("replace"); });
  form.addEventListener("change", function (event) {
    if (event.target.type === "checkbox") { limit = 50; run("push"); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    limit = 50;
    run("push");
  });
  more.addEventListener("click", function () { limit += 50; run(null); });
  clear.addEventListener("click", function () {
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]:checked"), function (box) { box.checked = false; });
    limit = 50;
    run("push");
    input.focus();
  });
  window.addEventListener("popstate", function () { restore(); countFilters(); limit = 50; run(null); });
  if (restore()) { run(null); }
  countFilters();
})();
