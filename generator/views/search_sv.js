/* Swedish search for the guide: a word typed in any of its forms finds the page that holds
 * another form of it, and the page that holds all the words of a query comes first.
 * generator/search.py appends this to the theme's Swedish language file
 * (assets/javascripts/lunr/min/lunr.sv.min.js), which the search worker loads before it builds
 * the index, on a server and offline (file://) alike. The index itself is not changed.
 *
 * 1. The search box adds a trailing wildcard to every word typed, so a word finds every longer
 *    word that starts with it ("familjehem" finds "familjehemmet"), but never a shorter or
 *    different form ("familjehemmet" does not find "familjehem", "regler" not "regel"). Each
 *    typed word is cut back here to its root (`root`), the part that all its forms start with,
 *    and the wildcard kept: "familjehemmet*" -> "familjehem*", "regler*" -> "reg*". The root
 *    is always the start of the word typed, so the word still finds itself, and a word half
 *    typed finds what starts with it. The theme reads the query's words the same way (it shows
 *    the words a result lacks and marks them on the page it opens), so it sees the roots too.
 * 2. Results are ordered first by how many of the query's words their page holds (in some form,
 *    then as typed: the whole word, then the start of a longer word), then the same for the
 *    section itself, and only then by the engine's own score. A name and a place together bring
 *    the page that holds both to the top, "varning" puts the page with the word "varning" before
 *    "varningssignaler", and "barnen" puts "barnen" before "barnkonventionen".
 */
(function (lunr) {
  "use strict";
  if (!lunr || lunr.guideRoot) return;

  var MIN = 3; // a root is never shorter than this
  // Endings of Swedish nouns, adjectives and verbs, longest first (a genitive -s comes off before).
  var ENDINGS = ["arna", "erna", "orna", "ande", "ende", "ena", "ade",
                 "ar", "er", "or", "en", "et", "an", "at", "ad", "de", "te", "a", "e", "t"];
  var EDGE = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
  var CONSONANT = "bcdfghjklmnpqrstvwxz";

  /* The start that every form of a word shares, as far as its ending tells. */
  function root(word) {
    word = word.toLowerCase().replace(EDGE, "");
    if (word.length <= MIN || /[^\p{L}]/u.test(word)) return word;
    var w = word;
    // the genitive: "barnets" -> "barnet", "socialtjänstens" -> "socialtjänsten" (not "process")
    if (w.length > 4 && /[^sxz]s$/.test(w)) w = w.slice(0, -1);
    var cut = ENDINGS.filter(function (end) {
      return w.length - end.length >= MIN && w.slice(-end.length) === end;
    })[0];
    if (cut) w = w.slice(0, -cut.length);
    // a definite -n after a vowel or an unstressed -el, -er, -or: "miljön", "regeln", "rektorn"
    else if (/[aeiouyåäöé][lr]n$/.test(w) && w.length > 5 || /[iouyåöé]n$/.test(w) && w.length > 4)
      w = w.slice(0, -1);
    // an unstressed e that drops in other forms: regel/regler, nummer/numret, vatten/vattnet
    var e = /^(.*[^aeiouyåäöé])e[lnr]$/.exec(w);
    if (e && e[1].length >= MIN) w = e[1];
    // ... and the form without it: "regl" (regler), "numr" (numret), "vattn" (vattnet)
    var c = /^(.*[bcdfgkmptv])[lnr]$/.exec(w);
    if (c && c[1].length >= MIN && !/[lnrj]$/.test(c[1])) w = c[1];
    // a doubled last consonant is single in other forms: "hemm" (hemmet) -> "hem"
    if (w.length > MIN && w[w.length - 1] === w[w.length - 2] && CONSONANT.indexOf(w[w.length - 1]) >= 0)
      w = w.slice(0, -1);
    return w;
  }
  lunr.guideRoot = root;

  /* A typed word with the box's trailing wildcard: its root, the wildcard kept. */
  var clause = lunr.Query.prototype.clause;
  lunr.Query.prototype.clause = function (c) {
    if (typeof c.term === "string" && /^[^*]+\*$/.test(c.term)) {
      var cut = root(c.term.slice(0, -1));
      if (cut) c.term = cut + "*";
    }
    return clause.call(this, c);
  };

  /* The words of a query string as typed: lower case, without operators and wildcards. */
  function typed(queryString) {
    var words = [];
    queryString.split(/\s+/).forEach(function (part) {
      if (/^-/.test(part)) return; // a word the results must not have
      var word = part.replace(/^\+/, "").replace(/^[^:]*:/, "").replace(/[*]+$/, "")
        .replace(/[~^]\d*$/, "").toLowerCase();
      if (word && !/\*/.test(word) && words.indexOf(word) < 0) words.push(word);
    });
    return words;
  }

  function starts(terms, start) {
    for (var i = 0; i < terms.length; i++) if (terms[i].lastIndexOf(start, 0) === 0) return true;
    return false;
  }

  function whole(terms, word) {
    return terms.indexOf(word) >= 0;
  }

  /* What of the query a section holds: each word in some form (its root), as typed (the whole
   * word), as the start of a longer word; "r0", "w0", "s0" for the first word, and so on. */
  function held(terms, words, roots) {
    var found = {};
    words.forEach(function (word, i) {
      if (starts(terms, roots[i])) found["r" + i] = true;
      if (whole(terms, word)) found["w" + i] = true;
      if (starts(terms, word)) found["s" + i] = true;
    });
    return found;
  }

  function tally(found, kind) {
    return Object.keys(found).filter(function (k) { return k[0] === kind; }).length;
  }

  var typedAs = {}; // the last query's roots -> its words as typed

  var search = lunr.Index.prototype.search;
  lunr.Index.prototype.search = function (queryString) {
    var results = search.call(this, queryString);
    var words = typed(queryString);
    var roots = words.map(function (word) { return root(word) || word; });
    typedAs = {};
    roots.forEach(function (r, i) { typedAs[r] = words[i]; });
    if (results.length < 2 || !words.length) return results;
    var pages = {};
    results.forEach(function (result, order) {
      result.found = held(Object.keys(result.matchData.metadata), words, roots);
      result.order = order;
      var page = pages[result.ref.split("#")[0]] || (pages[result.ref.split("#")[0]] = {});
      Object.keys(result.found).forEach(function (k) { page[k] = true; });
    });
    // the page first (in some form, as typed, as a start), then the section the same way
    var base = words.length + 1;
    results.forEach(function (result) {
      var page = pages[result.ref.split("#")[0]];
      result.band = [page, result.found].reduce(function (band, found) {
        return ["r", "w", "s"].reduce(function (b, kind) { return b * base + tally(found, kind); }, band);
      }, 0);
    });
    // worst first, to lift each band above the last; the engine's order within a band
    results.sort(function (a, b) { return a.band - b.band || b.order - a.order; });

    /* Scores rising band by band, each band's lowest at least ten times the last band's highest,
     * so that the theme's own boosts (at most five times) keep the bands in order (up to a
     * ceiling that a long query of many words may reach: past it, the engine's order). */
    var best = 0, band = null, scale = 1;
    results.forEach(function (result) {
      if (result.band !== band) {
        band = result.band;
        var floor = Math.min(best * 10, 1e300);
        scale = result.score > 0 && result.score < floor ? floor / result.score : 1;
      }
      result.score *= scale;
      best = Math.max(best, result.score);
      delete result.band; delete result.found; delete result.order;
    });
    return results.reverse();
  };

  /* The theme shows under a result the words it lacks ("Saknas: ..."): the words as typed, not
   * their roots ("regler", not "reg"). The worker's answer (type 3) is changed on its way out. */
  var post = self.postMessage;
  if (typeof post === "function") {
    self.postMessage = function (message) {
      var items = message && message.type === 3 && message.data && message.data.items;
      (Array.isArray(items) ? items : []).forEach(function (group) {
        (Array.isArray(group) ? group : []).forEach(function (item) {
          var terms = item && item.terms || {};
          Object.keys(terms).forEach(function (term) {
            if (terms[term] === false && typedAs[term] && typedAs[term] !== term) {
              delete terms[term];
              terms[typedAs[term]] = false;
            }
          });
        });
      });
      return post.apply(self, arguments);
    };
  }
})(self.lunr);
