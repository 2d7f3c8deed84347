/* Search worker: loads the search meta file once, then the index files each word typed needs,
   and answers queries without ever blocking the page. Tokens are made exactly as
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
  return out.filter(function (t) { return has(seen, t) ? false : (seen[t] = true); });
}

/* The index is a tree of files by term prefix (plugins/ocpp_directory/search.py, _split). meta.json
   lists the tree's nodes; a word typed fetches the one file that holds what it may stand for:
   - a leaf holds every term starting with its prefix;
   - an internal node, split by the next character, holds the term equal to its prefix and its
     TOP_TERMS most common terms: what a word that short stands for.
   A term's postings: [field, count, document numbers as gaps, term frequencies, field lengths]...
   Scores are lunr's BM25 (lunr.Builder: k1, b, idf, weights rounded to 3 decimals), computed here
   from those counts, so a change to one record rewrites only the shards of its terms. */
var meta = null, loading = null, base = null, children = null, profileTitles = null;
var shards = Object.create(null), fragments = Object.create(null);
/* Each facet's values of every document (decodeFacet), by the facet's position in meta.facets:
   fetched (search/f/<key>.json) when a filter needs it or once the first results are shown. */
var facetValues = [], facetLoading = [];
var MAX_EXPANSIONS = 64;

function fetchJSON(url) {
  return fetch(url).then(function (r) {
    if (!r.ok) { throw new Error(url + ": " + r.status); }
    return r.json();
  });
}

function chars(text) { return Array.from(text); }

/* Terms are vendor text: "constructor" or "hasownproperty" must be plain keys. */
function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }

function hex(text) {
  return Array.prototype.map.call(new TextEncoder().encode(text), function (b) {
    return (b < 16 ? "0" : "") + b.toString(16);
  }).join("");
}

/* Each node's children, by the first character after its prefix. */
function tree() {
  children = Object.create(null);
  var internal = Object.create(null);
  meta.internal.forEach(function (prefix) { internal[prefix] = true; children[prefix] = Object.create(null); });
  meta.internal.concat(meta.leaves).forEach(function (prefix) {
    var c = chars(prefix);
    for (var k = c.length - 1; k >= 0; k--) {
      var parent = c.slice(0, k).join("");
      if (internal[parent] && parent !== prefix) { children[parent][c[k]] = prefix; return; }
    }
  });
}

/* Where a typed word's terms are: {prefix, top} (top: the node stands for the word as a whole),
   or null when no term starts with the word. */
function nodeFor(word) {
  var prefix = "", w = chars(word);
  while (has(children, prefix)) {  // an internal node
    var depth = chars(prefix).length;
    if (w.length === depth) { return { prefix: prefix, top: true }; }
    var child = children[prefix][w[depth]];
    if (child === undefined) { return null; }
    if (child.lastIndexOf(word, 0) === 0) {  // the word is a prefix of the child's: all its terms
      return { prefix: child, top: has(children, child) };
    }
    if (word.lastIndexOf(child, 0) !== 0) { return null; }
    prefix = child;
  }
  return { prefix: prefix, top: false };
}

function shard(prefix) {
  if (!shards[prefix]) {
    shards[prefix] = fetchJSON(base + "t/x" + hex(prefix) + ".json?v=" + meta.version).then(function (terms) {
      // A term whose postings are those of an earlier term of the file has that term's name instead.
      Object.keys(terms).forEach(function (t) {
        if (typeof terms[t] === "string") { terms[t] = terms[terms[t]]; }
      });
      return terms;
    });
  }
  return shards[prefix];
}

function documentCount(entry) { return entry[0]; }

/* The terms a typed word stands for (at most `limit`: the ones most documents contain, then the
   shortest), with their postings; the word itself is always among them when it is a term. */
function expand(word, limit) {
  var node = nodeFor(word);
  if (!node) { return Promise.resolve({}); }
  return shard(node.prefix).then(function (terms) {
    var found = Object.keys(terms).filter(function (t) { return t.lastIndexOf(word, 0) === 0; });
    if (found.length > limit) {
      found.sort(function (a, b) {
        return (documentCount(terms[b]) - documentCount(terms[a])) || (a.length - b.length) || (a < b ? -1 : 1);
      });
      found = found.slice(0, limit);
      if (has(terms, word) && found.indexOf(word) < 0) { found.push(word); }
    }
    var out = {};
    found.sort().forEach(function (t) { out[t] = terms[t]; });
    return out;
  });
}

function load(urls) {
  if (!loading) {
    base = urls.base;
    loading = fetchJSON(urls.meta).then(function (data) {
      meta = data;
      meta.version = urls.version;
      tree();
      profileTitles = Object.create(null);
      meta.facets.forEach(function (facet) {
        if (facet.key === "profile") { facet.values.forEach(function (pair) { profileTitles[pair[0]] = pair[1]; }); }
      });
    });
  }
  return loading;
}

var DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/* The facets at positions `which` (all when omitted), fetched and decoded once each. */
function facetColumns(which) {
  if (!which) { which = meta.facets.map(function (facet, f) { return f; }); }
  return Promise.all(which.map(function (f) {
    if (!facetLoading[f]) {
      facetLoading[f] = fetchJSON(base + "f/" + meta.facets[f].key + ".json?v=" + meta.version).then(function (column) {
        facetValues[f] = decodeFacet(column);
      });
    }
    return facetLoading[f];
  }));
}

function allFacetsLoaded() {
  return meta.facets.every(function (facet, f) { return facetValues[f] !== undefined; });
}

/* One facet's values of every document (search.py, _facet_column), flat: document d holds
   values[start[d]] to values[start[d + 1] - 1], positions in the facet's list of values. Two
   typed arrays a facet, not an array a document: counting over every hit stays a tight loop. */
function decodeFacet(facet) {
  var text = facet.documents, width = facet.width, at = 0, total = meta.documents;
  var start = new Uint32Array(total + 1), values = new Uint32Array(text.length), used = 0;
  function number() {
    var n = 0;
    for (var i = 0; i < width; i++) { n = n * 64 + DIGITS.indexOf(text[at++]); }
    return n;
  }
  for (var d = 0; d < total; d++) {
    start[d] = used;
    if (facet.kind === "one") {
      var v = number();
      if (v) { values[used++] = v - 1; }
    } else {
      var count = DIGITS.indexOf(text[at++]);
      for (var k = 0; k < count; k++) { values[used++] = number(); }
    }
  }
  start[total] = used;
  return { start: start, values: values.slice(0, used) };
}

/* Calls add(document, weight, field) for each document holding `entry`'s term, once per field:
   lunr's BM25 weight of the term in that field (boost included, rounded to 3 decimals as lunr does). */
function weights(entry, add) {
  var n = meta.documents, df = entry[0];
  var idf = Math.log(1 + Math.abs((n - df + 0.5) / (df + 0.5)));
  var k1 = meta.k1, b = meta.b;
  for (var at = 1; at < entry.length;) {
    var field = entry[at], count = entry[at + 1], docs = at + 2, tfs = docs + count, lengths = tfs + count;
    var fieldBoost = meta.fields[field][1], average = meta.average_lengths[field], doc = 0;
    for (var i = 0; i < count; i++) {
      doc += entry[docs + i];
      var tf = entry[tfs + i], length = entry[lengths + i];
      var score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (length / average)) + tf) * fieldBoost;
      add(doc, Math.round(score * 1000) / 1000, field);
    }
    at = lengths + count;
  }
}

/* The words of a query: the OCA's notation typed with spaces ("Core + S + C") is one word, as the site
   writes it together ("core+s+c"). */
function queryWords(query) {
  return wholeTokens(query.replace(/\s*\+\s*/g, "+"));
}

/* A type in the OCA's notation ("core+s+c") means that type: only the term itself. A software version
   ("4.1", "v4.10.0") is matched exactly (section 9: a certificate covers one version) when any
   certificate has it; else by prefix, and the answer says the version differs. */
function isNotation(word) { return word.indexOf("+") > 0; }
function isVersion(word) { return /\d[._]\d/.test(word) && !/^oca/.test(word); }

/* Every word typed must match (as a prefix, but for the words above); a word that is itself a term
   scores 10 times more there. Resolves to {score, matched, inexact} by document number, or null when
   no word was typed; inexact: the versions typed that no certificate has exactly. */
function textMatches(query, message, words) {
  words = words || queryWords(query);
  if (!words.length) { return Promise.resolve(null); }
  var inexact = [];
  return Promise.all(words.map(function (word) { return expand(word, MAX_EXPANSIONS); })).then(function (expanded) {
    if (superseded(message)) { return SUPERSEDED; }
    expanded = expanded.map(function (terms, i) {
      var word = words[i], only = {};
      if (!isNotation(word) && !isVersion(word)) { return terms; }
      if (has(terms, word)) { only[word] = terms[word]; return only; }
      if (isVersion(word) && Object.keys(terms).length) { inexact.push(word); return terms; }
      return only;
    });
    var score = new Float64Array(meta.documents), wordsMatched = new Uint8Array(meta.documents);
    expanded.forEach(function (terms, i) {
      Object.keys(terms).forEach(function (term) {
        var boost = term === words[i] ? 11 : 1;
        weights(terms[term], function (doc, weight) {
          if (wordsMatched[doc] === i) { wordsMatched[doc] = i + 1; }  // the first term of word i it holds
          if (wordsMatched[doc] === i + 1) { score[doc] += boost * weight; }
        });
      });
    });
    return { score: score, inexact: inexact, matched: function (doc) { return wordsMatched[doc] === words.length; } };
  });
}

/* When a query with a software version matches nothing: the certified versions of the devices the
   rest of the query finds (at most 8 devices), so "VD22-S 4.9" answers which versions are. */
function certifiedVersions(query, message) {
  var words = queryWords(query);
  var rest = words.filter(function (w) { return !isVersion(w); });
  if (!rest.length || rest.length === words.length) { return Promise.resolve([]); }
  return textMatches(query, message, rest).then(function (text) {
    if (!text || text === SUPERSEDED) { return []; }
    var docs = [];
    for (var doc = meta.documents - 1; doc >= 0 && docs.length < 50; doc--) { if (text.matched(doc)) { docs.push(doc); } }
    return Promise.all(docs.map(fragment)).then(function (data) {
      var devices = [], by = Object.create(null);
      data.forEach(function (d) {
        var key = d[5];
        if (!by[key]) {
          if (devices.length >= 8) { return; }
          by[key] = { vendor: d[1], device: d[2], device_url: d[5], versions: [] };
          devices.push(by[key]);
        }
        if (d[3] !== null && by[key].versions.indexOf(d[3]) < 0) { by[key].versions.push(d[3]); }
      });
      return devices;
    });
  });
}

/* The `limit` best of `hits` by score, ties newest first. A page of results is a few dozen of
   thousands of hits: kept in order as they are found, not all sorted (9,000 hits: 8 ms to 1 ms). */
function best(hits, score, limit) {
  var before = function (a, b) { return (score[b] - score[a]) || (b - a); };
  if (limit > 400) { return hits.slice().sort(before).slice(0, limit); }
  var top = [];
  for (var i = 0; i < hits.length; i++) {
    var doc = hits[i], at = top.length;
    if (at === limit && before(doc, top[at - 1]) >= 0) { continue; }
    while (at > 0 && before(doc, top[at - 1]) < 0) { at--; }
    top.splice(at, 0, doc);
    if (top.length > limit) { top.pop(); }
  }
  return top;
}

function fragment(number) {
  if (!fragments[number]) {
    fragments[number] = fetchJSON(base + "d/" + number + ".json?v=" + meta.fragments);
  }
  return fragments[number];
}

/* The best result is sent as soon as its fragment is here, then the first six (what a browser
   fetches at once from one host over HTTP/1.1, in one round trip), then the rest. Six requests at
   once were answered 10 to 20 ms after one alone (the bench's server, 10,000 records): the best
   result no longer waits for the five after it. */
var FIRST_RESULTS = 6;

/* A search sent with `supersedes` makes the answers to earlier ones unwanted (the page shows only
   the latest): one still waiting for its shards when a newer one arrives stops there, and does not
   keep the newer one waiting while it scores ("o", "oc", "oca"... as "oca-16" is typed). */
var newest = null, SUPERSEDED = {};

function superseded(message) {
  return message.supersedes && message.id !== newest;
}

function search(message) {
  var facets = null, selected = null;
  return textMatches(message.q || "", message).then(function (text) {
    if (text === SUPERSEDED || superseded(message)) { return SUPERSEDED; }
    facets = meta.facets;
    selected = facets.map(function (facet) {
      var wanted = (message.filters[facet.key] || []);
      if (!wanted.length) { return null; }
      var set = {};
      facet.values.forEach(function (pair, i) { if (wanted.indexOf(pair[0]) >= 0) { set[i] = true; } });
      return set;
    });
    // The facets a filter is chosen in are needed to find the hits.
    var needed = [];
    selected.forEach(function (set, f) { if (set) { needed.push(f); } });
    return facetColumns(needed).then(function () { return text; });
  }).then(function (text) {
    if (text === SUPERSEDED || superseded(message)) { return null; }
    var total = meta.documents, nf = facets.length;
    // First the hits, and the documents that count towards a facet (those failing one filter at
    // most): the fragments of the first results are fetched while the counts are made.
    var hits = [], near = [], failedAt = [], f, g, k, end, column;
    for (var doc = total - 1; doc >= 0; doc--) {  // newest first: documents are numbered oldest first
      if (text && !text.matched(doc)) { continue; }
      var failed = -1, failures = 0;
      for (f = 0; f < nf && failures < 2; f++) {
        if (!selected[f]) { continue; }
        column = facetValues[f];
        var ok = false;
        for (k = column.start[doc], end = column.start[doc + 1]; k < end; k++) {
          if (selected[f][column.values[k]]) { ok = true; break; }
        }
        if (!ok) { failed = f; failures++; }
      }
      if (failures > 1) { continue; }
      if (failures === 0) { hits.push(doc); } else { near.push(doc); failedAt.push(failed); }
    }
    var limit = message.limit || 50;
    var shown = text ? best(hits, text.score, limit) : hits.slice(0, limit);
    // Each fetch costs the worker about half a millisecond to start: the first results' now (the
    // best one's first), the rest once they are sent.
    var best1 = shown.length ? fragment(shown[0]) : null;
    var first = Promise.all(shown.slice(0, FIRST_RESULTS).map(fragment));
    // Counts per facet ignore that facet's own selection (values within a facet are alternatives).
    // They need every facet: until all are here, the answers have none, and the last one waits.
    // The best result is sent before they are made (10,000 hits: 2 to 25 ms in the bench's browser).
    var counts = null;
    function count() {
      counts = facets.map(function (facet) { return new Uint32Array(facet.values.length); });
      var i, d, tally;
      for (g = 0; g < nf; g++) {
        column = facetValues[g];
        tally = counts[g];
        for (i = 0; i < hits.length; i++) {
          d = hits[i];
          for (k = column.start[d], end = column.start[d + 1]; k < end; k++) { tally[column.values[k]]++; }
        }
      }
      for (i = 0; i < near.length; i++) {
        column = facetValues[failedAt[i]];
        d = near[i];
        for (k = column.start[d], end = column.start[d + 1]; k < end; k++) { counts[failedAt[i]][column.values[k]]++; }
      }
    }
    function countIfLoaded() { if (!counts && allFacetsLoaded()) { count(); } }
    var answer = function (data, complete) {
      return {
        type: "results",
        id: message.id,
        complete: complete,
        total: hits.length,
        inexact: text ? text.inexact : [],
        results: data.map(function (d) {
          return {
            id: d[0], vendor: d[1], device: d[2], software_version: d[3], issued: d[4], device_url: d[5],
            profiles: d[6].map(function (v) { return profileTitles[v]; }), type: d[7]
          };
        }),
        counts: counts && facets.map(function (facet, c) { return { key: facet.key, values: Array.from(counts[c]) }; })
      };
    };
    // The last answer: with the counts, once every facet is here (fetched after the first results).
    var last = function (data) {
      countIfLoaded();
      if (counts) { return answer(data, true); }
      self.postMessage(answer(data, false));
      return facetColumns().then(function () { count(); return answer(data, true); });
    };
    if (!hits.length && text && queryWords(message.q || "").some(isVersion)) {
      return certifiedVersions(message.q || "", message).then(function (devices) {
        var out = answer([], true);
        out.versions = devices;
        countIfLoaded();
        out.counts = counts && facets.map(function (facet, c) { return { key: facet.key, values: Array.from(counts[c]) }; });
        return out;
      });
    }
    if (shown.length <= 1) { return first.then(last); }
    // The best result goes first, without the counts: they are made while the next fragments come.
    return best1.then(function (data) {
      self.postMessage(answer([data], false));
      countIfLoaded();
      return first;
    }).then(function (data) {
      if (shown.length <= FIRST_RESULTS) { return last(data); }
      self.postMessage(answer(data, false));
      return Promise.all(shown.map(fragment)).then(last);
    });
  });
}

function fail(message) {
  return function (error) { self.postMessage({ type: "error", id: message.id, message: String(error) }); };
}

self.onmessage = function (event) {
  var message = event.data;
  if (message.type === "tokens") {  // for the tests: the worker's tokens of each text
    self.postMessage({ type: "tokens", id: message.id, tokens: message.texts.map(tokens) });
    return;
  }
  if (message.type === "expand") {  // for the tests: the terms a prefix stands for
    load(message.urls).then(function () { return expand(message.prefix, message.limit); }).then(function (terms) {
      self.postMessage({ type: "expand", id: message.id, terms: Object.keys(terms).sort() });
    }).catch(fail(message));
    return;
  }
  if (message.type === "weights") {  // for the tests: a term's BM25 weights, per field and document
    load(message.urls).then(function () { return expand(message.term, Infinity); }).then(function (terms) {
      var out = {};
      if (has(terms, message.term)) {
        weights(terms[message.term], function (doc, weight, field) {
          var name = meta.fields[field][0];
          (out[name] = out[name] || {})[doc] = weight;
        });
      }
      self.postMessage({ type: "weights", id: message.id, weights: out });
    }).catch(fail(message));
    return;
  }
  if (message.type === "search" && message.supersedes) { newest = message.id; }
  load(message.urls).then(function () {
    if (message.type === "search") { return search(message).then(function (r) { if (r) { self.postMessage(r); } }); }
    self.postMessage({ type: "ready" });
  }).catch(fail(message));
};
