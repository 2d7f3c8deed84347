/* Search worker: loads the prebuilt lunr index and the facet store once, then
   answers queries without ever blocking the page. Tokens are made exactly as
   plugins/ocpp_directory/search.py makes them (fold, tokens). */
"use strict";

var SPECIAL = { "ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i", "þ": "th", "ð": "d", "ħ": "h", "ŧ": "t" };
var TOKEN = /[\p{L}\p{N}]+(?:[-._\/+][\p{L}\p{N}]+)*/gu;
var CONNECTOR = /[-._\/+]/;
var HANGUL = /[\uac00-\ud7a3]/;

function fold(text) {
  var s = text.normalize("NFD").replace(/\p{M}/gu, "").normalize("NFC").toLowerCase();
  return s.replace(/[łđøæœßıþðħŧ]/g, function (c) { return SPECIAL[c]; });
}

function wholeTokens(text) {
  return fold(text).match(TOKEN) || [];
}

/* The index's tokens for a text: kept here so a test can compare it with Python's. */
function tokens(text) {
  var out = [];
  wholeTokens(text).forEach(function (token) {
    out.push(token);
    if (CONNECTOR.test(token)) {
      out.push.apply(out, token.split(/[-._\/+]/));
      out.push(token.replace(/[-._\/+]/g, ""));
    }
    if (HANGUL.test(token)) {
      var chars = Array.from(token);
      for (var i = 1; i < chars.length - 1; i++) { out.push(chars.slice(i).join("")); }
    }
  });
  var seen = {};
  return out.filter(function (t) { return seen.hasOwnProperty(t) ? false : (seen[t] = true); });
}

var index = null, store = null, loading = null, terms = null;

/* A word typed is a prefix. lunr's own trailing wildcard expands it to every indexed term it
   starts; at 10,000 certificates "oc" starts 10,000 certificate ids, and lunr's scoring then
   costs the number of terms times the number of documents (over a minute). So a prefix is
   expanded here, to at most MAX_EXPANSIONS terms: all of them if there are that few, else
   the ones most documents contain (then the shortest). Whole words are always matched. */
var MAX_EXPANSIONS = 64;

function documentCount(term) {
  var postings = index.invertedIndex[term], count = 0;
  Object.keys(postings).forEach(function (field) {
    if (field !== "_index") { count = Math.max(count, Object.keys(postings[field]).length); }
  });
  return count;
}

function expand(prefix, limit) {
  if (!terms) { terms = Object.keys(index.invertedIndex).sort(); }
  var lo = 0, hi = terms.length;
  while (lo < hi) { var mid = (lo + hi) >> 1; if (terms[mid] < prefix) { lo = mid + 1; } else { hi = mid; } }
  var found = [];
  for (var i = lo; i < terms.length && terms[i].lastIndexOf(prefix, 0) === 0; i++) { found.push(terms[i]); }
  if (found.length > limit) {
    var count = {};
    found.forEach(function (term) { count[term] = documentCount(term); });
    found.sort(function (a, b) { return (count[b] - count[a]) || (a.length - b.length) || (a < b ? -1 : 1); });
    found = found.slice(0, limit);
  }
  return found.sort();
}

/* lunr asks TokenSet.fromClause for the terms a clause may match: a clause carrying its own
   expansions matches exactly those. */
function useExpansions() {
  var fromClause = lunr.TokenSet.fromClause;
  lunr.TokenSet.fromClause = function (clause) {
    return clause.expansions ? lunr.TokenSet.fromArray(clause.expansions) : fromClause(clause);
  };
}

function load(urls) {
  if (!loading) {
    importScripts(urls.lunr);
    loading = Promise.all([
      fetch(urls.index).then(function (r) { return r.json(); }),
      fetch(urls.docs).then(function (r) { return r.json(); })
    ]).then(function (data) {
      index = lunr.Index.load(data[0]);
      store = data[1];
      useExpansions();
    });
  }
  return loading;
}

function textMatches(query) {
  var words = wholeTokens(query);
  if (!words.length) { return null; }
  var found = index.query(function (q) {
    words.forEach(function (word) {
      var expansions = expand(word, MAX_EXPANSIONS);
      // A word no term starts: a clause that matches nothing, so the query finds nothing.
      q.clause({ term: word, usePipeline: false, presence: lunr.Query.presence.REQUIRED,
                 expansions: expansions.length ? expansions : [word] });
      q.term(word, { usePipeline: false, boost: 10 });
    });
  });
  var scores = {};
  found.forEach(function (match) { scores[match.ref] = match.score; });
  return scores;
}

function search(message) {
  var facets = store.facets, docs = store.docs;
  var scores = textMatches(message.q || "");
  var selected = facets.map(function (facet) {
    var wanted = (message.filters[facet.key] || []);
    if (!wanted.length) { return null; }
    var set = {};
    facet.values.forEach(function (pair, i) { if (wanted.indexOf(pair[0]) >= 0) { set[i] = true; } });
    return set;
  });
  var counts = facets.map(function (facet) { return facet.values.map(function () { return 0; }); });
  var hits = [];
  docs.forEach(function (doc, position) {
    if (scores && !scores.hasOwnProperty(doc[0])) { return; }
    var values = doc[6], failed = -1, failures = 0;
    for (var f = 0; f < facets.length; f++) {
      if (!selected[f]) { continue; }
      var ok = values[f].some(function (v) { return selected[f][v]; });
      if (!ok) { failed = f; failures++; if (failures > 1) { break; } }
    }
    if (failures > 1) { return; }
    // Counts per facet ignore that facet's own selection (values within a facet are alternatives).
    for (var g = 0; g < facets.length; g++) {
      if (failures === 0 || failed === g) {
        values[g].forEach(function (v) { counts[g][v]++; });
      }
    }
    if (failures === 0) { hits.push(position); }
  });
  if (scores) {
    hits.sort(function (a, b) { return (scores[docs[b][0]] - scores[docs[a][0]]) || (a - b); });
  }
  var profileFacet = facets.findIndex(function (f) { return f.key === "profile"; });
  return {
    type: "results",
    id: message.id,
    total: hits.length,
    results: hits.slice(0, message.limit || 50).map(function (position) {
      var doc = docs[position];
      return {
        id: doc[0], vendor: doc[1], device: doc[2], software_version: doc[3], issued: doc[4], device_url: doc[5],
        profiles: doc[6][profileFacet].map(function (v) { return facets[profileFacet].values[v][1]; })
      };
    }),
    counts: facets.map(function (facet, f) { return { key: facet.key, values: counts[f] }; })
  };
}

self.onmessage = function (event) {
  var message = event.data;
  if (message.type === "tokens") {  // for the tests: the worker's tokens of each text
    self.postMessage({ type: "tokens", id: message.id, tokens: message.texts.map(tokens) });
    return;
  }
  if (message.type === "expand") {  // for the tests: the terms a prefix stands for
    load(message.urls).then(function () {
      self.postMessage({ type: "expand", id: message.id, terms: expand(message.prefix, message.limit) });
    });
    return;
  }
  load(message.urls).then(function () {
    if (message.type === "search") { self.postMessage(search(message)); }
    else { self.postMessage({ type: "ready" }); }
  }).catch(function (error) {
    self.postMessage({ type: "error", id: message.id, message: String(error) });
  });
};
