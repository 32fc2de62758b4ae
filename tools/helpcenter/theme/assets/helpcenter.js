/*
 * helpcenter theme script: search, the visit's context, feedback, the request form, chat hooks
 * and the public `window.HelpCenter` API. One file, no dependencies, loaded at the end of body.
 *
 * Search runs on the Pagefind JS API. The bundle sits at the site root and holds one index per
 * <html lang>, so a page searches its own locale only. Pagefind is loaded on first use, not on
 * page load, to keep article pages light on phones.
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("hc-config").textContent);
  var strings = config.strings;
  var root = new URL(config.root, document.baseURI);
  var LOCALE_KEY = "helpcenter.locale";
  var MAX_RESULTS = 8;
  var pagefind = null;

  // ---- Core: the visit's context and events ----------------------------------------------
  // Searches and articles read during this visit stay in sessionStorage (this tab, this visit)
  // and leave the browser only inside a request the customer sends.
  var CONTEXT_KEY = "helpcenter.context";
  var listeners = {};

  function readContext() {
    try { return JSON.parse(sessionStorage.getItem(CONTEXT_KEY)) || { searches: [], articles: [] }; }
    catch (e) { return { searches: [], articles: [] }; }
  }
  function remember(kind, value) {
    var context = readContext();
    var list = context[kind].filter(function (v) { return v !== value; });
    list.push(value);
    context[kind] = list.slice(-20);
    // When the visit's first search happened: a request then says how long the articles had
    // to help (the report's "time to ticket"), measured on this one clock.
    if (kind === "searches" && !context.firstSearchAt) context.firstSearchAt = Date.now();
    try { sessionStorage.setItem(CONTEXT_KEY, JSON.stringify(context)); } catch (e) { /* full */ }
  }
  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent("helpcenter:" + name, { detail: detail }));
    (listeners[name] || []).forEach(function (fn) { try { fn(detail); } catch (e) { console.error(e); } });
  }
  // Whether this page may talk to the ticket service. A site built with `api_url: false` has
  // none, and sends nothing. Otherwise one request per visit, remembered in sessionStorage,
  // says whether the service answers there: helpcenter-early.js's GET of {api}/status from
  // the head, or {api}/health where that script is not on the page. The site ships a stand-in at
  // /api/health (theme/api/health) that a static host serves where the service would be, so
  // even there no request fails: any failed request is an error in the browser's console,
  // whatever the script does with it. Nothing else is sent before the answer is in.
  var API_KEY = "helpcenter.api";
  var apiKnown = null;  // true: the service answers; false: none is there; null: not known
  var apiCheck = null;
  function noService(status) { return status === 404 || status === 405 || status === 501; }
  function knowApi(present) {
    apiKnown = present;
    if (present === null) return null;  // down or unreachable for now: asked again next page
    try { sessionStorage.setItem(API_KEY, JSON.stringify({ api: config.api, present: present })); } catch (e) { /* private mode */ }
    return present;
  }
  function apiReady() {
    if (!config.api) { apiKnown = false; return Promise.resolve(false); }
    if (apiCheck) return apiCheck;
    var cached = null;
    try { cached = JSON.parse(sessionStorage.getItem(API_KEY)); } catch (e) { /* none */ }
    if (cached && cached.api === config.api) {
      apiKnown = cached.present;
      apiCheck = Promise.resolve(apiKnown);
      return apiCheck;
    }
    if (window.helpcenterServiceCheck) {  // helpcenter-early.js's request from the head answers it
      apiCheck = window.helpcenterServiceCheck.then(knowApi);
      return apiCheck;
    }
    apiCheck = fetch(config.api + "/health", { headers: { "Accept": "application/json" } }).then(function (response) {
      if (noService(response.status)) return knowApi(false);
      return response.json().then(function (health) {
        if (health && health.service === false) return knowApi(false);  // the static stand-in
        return knowApi(response.ok && /^(ok|degraded)$/.test(health && health.status) ? true : null);
      });
    }).catch(function () { return knowApi(null); });
    return apiCheck;
  }
  function apiAbsent() { knowApi(false); }
  // Fire and forget, once the service is known to be there: a beacon (it outlives the page
  // being closed), else a keepalive fetch. Never a wait. (A send the service itself refuses,
  // a 422 or a 429, still shows in the console as the browser reports it: no script can hide
  // a failed request, which is why nothing is sent before the check.)
  function beacon(path, body) {
    if (apiKnown !== true) {
      if (apiKnown === null) apiReady().then(function (yes) { if (yes) beacon(path, body); });
      return;
    }
    var url = config.api + path, json = JSON.stringify(body);
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(url, new Blob([json], { type: "application/json" }))) return;
    } catch (e) { /* a browser that refuses a JSON beacon: fetch below */ }
    fetch(url, { method: "POST", keepalive: true, body: json,
                 headers: { "Content-Type": "application/json", "Accept": "application/json" } })
      .then(function (response) { if (noService(response.status)) apiAbsent(); }, function () {});
  }
  apiReady();  // the check starts with the page (or the visit's answer is read back)
  function record(event) {  // analytics must never disturb the page
    event.locale = config.locale;
    beacon("/events", event);
  }

  // An explicit language choice is remembered; the root page reads it on the next visit.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-hc-locale-link]");
    if (!link) return;
    try { localStorage.setItem(LOCALE_KEY, link.getAttribute("hreflang")); } catch (e) { /* private mode */ }
  });

  // The index holds Chinese, Japanese and Korean text one character (syllable) per word
  // (site/search_index.py): Pagefind matches a query word only as a word's prefix, so a run
  // of characters is found wherever it starts only when the query is split the same way.
  // Latin words in a mixed query stay whole.
  var CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af";
  var CJK_RUN = new RegExp("[" + CJK + "]+", "g");
  function searchTerms(query) {
    return query.replace(CJK_RUN, function (run) { return " " + Array.from(run).join(" ") + " "; })
      .replace(/\s+/g, " ").trim();
  }
  // Titles and excerpts come from that index: a plain space beside one of those characters
  // is one the index put there, so it goes (Pagefind's <mark> may stand beside it); the spaces
  // the writer typed are the index's word marks (U+E000), back to spaces.
  var MARKS = "(?:</?mark>)*";
  var CUT_GAP = new RegExp("([" + CJK + "]" + MARKS + ") (?=" + MARKS + "\\S)|(\\S" + MARKS + ") (?="
    + MARKS + "[" + CJK + "])", "g");
  function plainText(text) {
    return (text || "").replace(/\u200b/g, "").replace(CUT_GAP, "$1$2")
      .replace(/ ?\ue000 ?/g, " ").replace(/ {2,}/g, " ").replace(/<\/mark><mark>/g, "").trim();
  }

  // Synonyms (locales/<locale>/search.yml, `term: [alternatives]`): a query holding an
  // alternative ("money back") is also searched with the term in its place ("refund").
  // Latin words match whole; Chinese, Japanese or Korean ones wherever they stand.
  function variants(query) {
    var q = " " + query.toLowerCase().replace(/\s+/g, " ").trim() + " ", out = [];
    (config.synonyms || []).forEach(function (entry) {
      entry[1].forEach(function (alt) {
        var needle = /[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]/.test(alt)
          ? alt : " " + alt + " ";
        var at = q.indexOf(needle);
        if (at >= 0) {
          var swapped = needle.split(alt).join(entry[0]); // no `$&` patterns, unlike replace()
          out.push((q.slice(0, at) + swapped + q.slice(at + needle.length)).trim());
        }
      });
    });
    return out;
  }

  // The query's results and its variants', each page once with its best score, best first.
  function withSynonyms(pf, query, search) {
    var more = variants(query);
    if (search === null || !more.length) return adjacentFirst(pf, query, search);
    return Promise.all(more.map(function (v) { return pf.search(searchTerms(v)); })).then(function (all) {
      var best = {};
      [search].concat(all).forEach(function (s) {
        s.results.forEach(function (r) { if (!best[r.id] || best[r.id].score < r.score) best[r.id] = r; });
      });
      var results = Object.keys(best).map(function (id) { return best[id]; });
      results.sort(function (a, b) { return b.score - a.score; });
      return adjacentFirst(pf, query, { results: results });
    });
  }

  // Pagefind scores each character of a Chinese, Japanese or Korean run on its own, wherever
  // it stands in the page; pages where the query's longest run stands as typed, its characters
  // side by side and in order ("되거", not the "거되" of "제거되었다"), go first. Where each
  // character stands comes from searching it alone: a result's `words` (the positions it
  // matched) arrive before any fragment loads, and the run's index chunks are loaded already.
  // A pasted paragraph is checked on its first RUN_CHECKED characters, each searched once.
  var RUN_CHECKED = 12;
  function adjacentFirst(pf, query, search) {
    var run = [];
    (query.match(CJK_RUN) || []).forEach(function (r) { if (Array.from(r).length > run.length) run = Array.from(r); });
    run = run.slice(0, RUN_CHECKED);
    if (search === null || run.length < 2) return search;
    var chars = run.filter(function (ch, i) { return run.indexOf(ch) === i; });
    return Promise.all(chars.map(function (ch) { return pf.search(ch); })).then(function (alone) {
      var where = {};   // character -> {page id: its positions}
      chars.forEach(function (ch, i) {
        where[ch] = {};
        (alone[i] ? alone[i].results : []).forEach(function (r) { where[ch][r.id] = new Set(r.words || []); });
      });
      var at = run.map(function (ch) { return where[ch]; });
      function asTyped(id) {
        return !!at[0][id] && Array.from(at[0][id]).some(function (p) {
          return at.every(function (pages, i) { return pages[id] && pages[id].has(p + i); });
        });
      }
      var ranked = search.results.map(function (r, i) { return { r: r, i: i, typed: asTyped(r.id) }; });
      ranked.sort(function (a, b) { return (b.typed - a.typed) || (a.i - b.i); });
      search.results = ranked.map(function (x) { return x.r; });
      return search;
    });
  }

  // An excerpt is counted in index words: a character in zh and ja, a syllable in ko.
  function excerptWords(locale) {
    return { zh: 60, ja: 60, ko: 60 }[String(locale).split("-")[0]] || 24;
  }
  function loadPagefind() {
    if (!pagefind) {
      // On a page with a search in the address, helpcenter-early.js started it in the head.
      var started = window.__hc_pagefind;
      window.__hc_pagefind = null;
      pagefind = (started || import(new URL("pagefind/pagefind.js", root).href)).then(function (pf) {
        return pf.options({ baseUrl: root.pathname, excerptLength: excerptWords(config.locale) }).then(function () {
          return pf;
        });
      });
      pagefind.catch(function () { pagefind = null; });
    }
    return pagefind;
  }

  // The source language's index, for the "Results in English" section of a thin search.
  // Pagefind picks its index from <html lang>, so the second instance is created while the
  // page briefly claims the source language.
  var sourcePagefind = null;
  function loadSourcePagefind() {
    if (!sourcePagefind) {
      sourcePagefind = loadPagefind().then(function (pf) {
        var html = document.documentElement;
        var lang = html.lang;
        html.lang = config.source;
        var instance = pf.createInstance({ basePath: new URL("pagefind/", root).pathname });
        html.lang = lang;
        return instance.options({ baseUrl: root.pathname, excerptLength: excerptWords(config.source) }).then(function () {
          return instance;
        });
      });
      sourcePagefind.catch(function () { sourcePagefind = null; });
    }
    return sourcePagefind;
  }
  var FEW_RESULTS = 3;

  // "3 articles found" in the form the locale's CLDR plural rule picks for n (Arabic has six:
  // zero one two few many other); the page carries the forms its locale needs.
  function countText(n) {
    var forms = strings.results, rule = "other";
    try { rule = new Intl.PluralRules(config.locale).select(n); } catch (e) { /* old browser */ }
    return (forms[rule] || forms.other).replace("{count}", n);
  }

  function SearchBox(element) {
    this.element = element;
    this.input = element.querySelector("input");
    this.status = element.querySelector(".hc-search__status");
    this.results = element.querySelector(".hc-search__results");
    this.query = "";
    var box = this;
    element.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      box.focusResult(0);
    });
    this.input.addEventListener("input", function () { box.search(box.input.value); });
    this.input.addEventListener("focus", loadPagefind, { once: true });
    element.addEventListener("keydown", function (event) { box.onKey(event); });
  }

  // `now`: a search nobody is typing (the one in the address) is not debounced.
  SearchBox.prototype.search = function (query, now) {
    var box = this;
    this.query = query;
    if (!query.trim()) {
      this.render([], "");
      return;
    }
    this.status.textContent = strings.searching;
    loadPagefind()
      .then(function (pf) {
        var terms = searchTerms(query);
        return (now ? pf.search(terms) : pf.debouncedSearch(terms, {}, 150)).then(function (search) {
          return withSynonyms(pf, query, search);
        });
      })
      .then(function (search) {
        if (search === null || box.query !== query) return null; // superseded by newer typing
        var total = search.results.length;
        var own = Promise.all(search.results.slice(0, MAX_RESULTS).map(function (r) { return r.data(); }));
        var extra = total < FEW_RESULTS && config.locale !== config.source
          ? loadSourcePagefind().then(function (pf) { return pf.search(query); }).then(function (s) {
              return Promise.all(s.results.slice(0, MAX_RESULTS - Math.min(total, MAX_RESULTS))
                .map(function (r) { return r.data(); }));
            }).catch(function () { return []; })
          : Promise.resolve([]);
        return Promise.all([own, extra]).then(function (found) {
          if (box.query !== query) return;
          box.render(found[0], total ? countText(total) : strings.none.replace("{query}", query), found[1]);
          box.settled(query, total);
        });
      })
      .catch(function () { box.render([], strings.unavailable); });
  };

  // A search counts once the customer pauses: not every keystroke is a search.
  SearchBox.prototype.settled = function (query, total) {
    clearTimeout(this.settleTimer);
    var box = this;
    this.settleTimer = setTimeout(function () {
      if (box.query !== query || query.trim().length < 2) return;
      remember("searches", query.trim());
      record({ type: "search", query: query.trim(), results: total, page: location.pathname });
      emit("search", { query: query.trim(), results: total });
      if (!total) {
        emit("no-results", { query: query.trim() });
        box.offerRequest();
      }
    }, 1200);
  };

  SearchBox.prototype.offerRequest = function () {
    if (this.status.querySelector("a")) return;
    var link = document.createElement("a");
    link.href = config.requestUrl;
    link.textContent = strings.noResultsLink;
    link.className = "hc-search__request";
    this.status.appendChild(document.createTextNode(" "));
    this.status.appendChild(link);
  };

  SearchBox.prototype.render = function (items, status, sourceItems) {
    this.status.textContent = status;
    this.results.textContent = "";
    sourceItems = sourceItems || [];
    this.element.classList.toggle("hc-search--results", items.length > 0 || status !== "");
    var all = items.concat(sourceItems);
    for (var i = 0; i < all.length; i++) {
      var item = all[i];
      if (i === items.length && sourceItems.length) {
        var heading = document.createElement("li");
        heading.className = "hc-search__section";  // a list item: an <ol> holds nothing else
        heading.textContent = strings.sourceResults;
        this.results.appendChild(heading);
      }
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.className = "hc-search__result";
      if (i >= items.length) a.lang = config.source;
      var title = document.createElement("strong");
      title.textContent = plainText(item.meta.title) || item.url;
      a.appendChild(title);
      if (item.meta.category) {
        var category = document.createElement("small");
        category.textContent = item.meta.category;
        a.appendChild(category);
      }
      var excerpt = document.createElement("span");
      excerpt.innerHTML = plainText(item.excerpt); // Pagefind escapes the text and adds only <mark>
      a.appendChild(excerpt);
      li.appendChild(a);
      this.results.appendChild(li);
    }
  };

  SearchBox.prototype.links = function () {
    return Array.prototype.slice.call(this.results.querySelectorAll("a"));
  };

  SearchBox.prototype.focusResult = function (index) {
    var links = this.links();
    if (links.length) links[Math.max(0, Math.min(index, links.length - 1))].focus();
  };

  SearchBox.prototype.onKey = function (event) {
    var links = this.links();
    var at = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown") {
      event.preventDefault();
      this.focusResult(at + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (at <= 0) this.input.focus(); else this.focusResult(at - 1);
    } else if (event.key === "Escape") {
      if (this.input.value) {
        this.input.value = "";
        this.search("");
        this.input.focus();
      } else {
        closeHeaderSearch();
      }
    }
  };

  var boxes = Array.prototype.map.call(document.querySelectorAll("[data-hc-search]"), function (el) {
    return new SearchBox(el);
  });

  // Phones: the header search is a button that opens a full-screen panel.
  var toggle = document.querySelector(".hc-search-toggle");
  var panel = document.getElementById("hc-header-search");
  function openHeaderSearch() {
    if (!panel) return;
    panel.classList.add("hc-header-search--open");
    toggle.setAttribute("aria-expanded", "true");
    panel.querySelector("input").focus();
  }
  function closeHeaderSearch() {
    if (!panel || !panel.classList.contains("hc-header-search--open")) return;
    panel.classList.remove("hc-header-search--open");
    toggle.setAttribute("aria-expanded", "false");
    toggle.focus();
  }
  if (toggle) toggle.addEventListener("click", openHeaderSearch);
  var close = document.querySelector(".hc-search-close");
  if (close) close.addEventListener("click", closeHeaderSearch);

  // "/" jumps to search from anywhere, as on most help centers.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    event.preventDefault();
    var hero = document.getElementById("hc-home-search-input");
    if (hero) hero.focus();
    else if (window.matchMedia("(max-width: 59.984375em)").matches) openHeaderSearch();
    else if (boxes.length) boxes[0].input.focus();
  });

  // A query in the address (`?q=refund`: a bookmark, a link from elsewhere, a browser's site
  // search) is searched at once, in the home page's box, else the header's.
  (function searchFromAddress() {
    var query = "";
    try { query = (new URLSearchParams(location.search).get("q") || "").trim(); } catch (e) { return; }
    if (!query || !boxes.length) return;
    var box = boxes.filter(function (b) { return b.input.id === "hc-home-search-input"; })[0] || boxes[0];
    if (panel && panel.contains(box.element) && window.matchMedia("(max-width: 59.984375em)").matches) {
      panel.classList.add("hc-header-search--open");
      toggle.setAttribute("aria-expanded", "true");
    }
    // Its results fill the room helpcenter-early.js kept for them (`hc-query`), until the
    // visitor types.
    box.input.addEventListener("input", function () { document.documentElement.classList.remove("hc-query"); },
                               { once: true });
    box.input.value = query;
    box.search(query, true);
  })();

  // ---- Articles read, and deflections -----------------------------------------------------
  // A deflection: the customer opened an article the form suggested, then went on elsewhere
  // without sending the request. Decided on the next page they load, never from a guess.
  var PENDING_KEY = "helpcenter.suggested";
  function pendingSuggestion() {
    try { return JSON.parse(sessionStorage.getItem(PENDING_KEY)); } catch (e) { return null; }
  }
  function setPending(value) {
    try {
      if (value) sessionStorage.setItem(PENDING_KEY, JSON.stringify(value));
      else sessionStorage.removeItem(PENDING_KEY);
    } catch (e) { /* private mode */ }
  }
  (function trackVisit() {
    var pending = pendingSuggestion();
    if (pending) {
      if (location.pathname === pending.path) {
        pending.read = true;
        setPending(pending);
      } else if (config.kind !== "form" && pending.read) {
        record({ type: "deflection", article: pending.path, query: pending.query, page: pending.path });
        setPending(null);
      }
    }
    if (config.kind === "form") record({ type: "form_open", page: location.pathname });
    if (config.kind === "article") {
      record({ type: "article_view", article: config.article, page: location.pathname });
      remember("articles", location.pathname);
      emit("article-view", { path: location.pathname, title: document.title });
    }
  })();

  // ---- "Was this helpful?" ---------------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("[data-hc-feedback]"), function (form) {
    var status = form.querySelector(".hc-feedback__status");
    var comment = form.querySelector(".hc-feedback__comment");
    var sent = false;
    if (apiKnown === false) return;  // nowhere to send it: only the request link shows
    form.hidden = false;  // it needs JavaScript; without it, only the request link shows
    if (apiKnown !== true) {  // its place is kept meanwhile: no layout shift when it shows
      form.classList.add("hc-feedback--pending");
      apiReady().then(function (yes) { if (yes) form.classList.remove("hc-feedback--pending"); });
    }
    function send(helpful, text) {
      if (sent) return;
      sent = true;
      var body = { locale: config.locale, page: location.pathname, helpful: helpful };
      if (text) body.comment = text;
      beacon("/feedback", body);
      emit("feedback", body);
      form.querySelector("fieldset").disabled = true;
      comment.hidden = true;
      status.textContent = strings.feedbackThanks;
    }
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[name=helpful]");
      if (!button) return;
      button.setAttribute("aria-pressed", "true");
      if (button.value === "true") {
        send(true);
      } else {
        comment.hidden = false;
        comment.querySelector("textarea").focus();
        // Leaving without pressing "send" still counts the "no".
        window.addEventListener("pagehide", function () { send(false); }, { once: true });
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(false, comment.querySelector("textarea").value.trim());
    });
  });

  // ---- Tickets ---------------------------------------------------------------------------
  var OUTBOX_KEY = "helpcenter.outbox";
  function newKey() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
      : Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function visitContext(channel) {
    var context = readContext();
    var result = { channel: channel || "form", page_url: document.referrer || location.href,
                   searches: context.searches, articles_viewed: context.articles };
    var since = context.firstSearchAt ? Date.now() - context.firstSearchAt : -1;
    if (since >= 0 && since <= 864e5) result.since_first_search_ms = since;
    return result;
  }
  function queued() {
    try { return JSON.parse(localStorage.getItem(OUTBOX_KEY)) || []; } catch (e) { return []; }
  }
  function setQueued(list) {
    try { localStorage.setItem(OUTBOX_KEY, JSON.stringify(list)); } catch (e) { /* full */ }
  }

  // Sends a ticket. The Idempotency-Key travels with it: a retry after a lost answer, or the
  // resend of an offline draft, returns the same ticket instead of a second one.
  function sendTicket(body, key, files) {
    if (apiKnown === false) {
      var none = new Error("no ticket service");
      none.status = 501;  // as a static host answers: not sent, not queued
      return Promise.reject(none);
    }
    var request = { method: "POST", headers: { "Accept": "application/json", "Idempotency-Key": key } };
    if (files && files.length) {
      var data = new FormData();
      flatten(body, "", data);
      files.forEach(function (file) { data.append("attachments", file); });
      request.body = data;
    } else {
      request.headers["Content-Type"] = "application/json";
      request.body = JSON.stringify(body);
    }
    return fetch(config.api + "/tickets", request).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (response.status === 201) {
          setPending(null);
          emit("ticket-created", { id: json.id, reference: json.reference, channel: body.context.channel });
          return json;
        }
        var error = new Error("HTTP " + response.status);
        error.status = response.status;
        error.errors = json.errors || {};
        throw error;
      });
    });
  }
  function flatten(value, prefix, data) {
    Object.keys(value).forEach(function (key) {
      var name = prefix ? prefix + "." + key : key;
      var item = value[key];
      if (item === null || item === undefined) return;
      if (Array.isArray(item)) item.forEach(function (v) { data.append(name, v); });
      else if (typeof item === "object") flatten(item, name, data);
      else data.append(name, item);
    });
  }
  function flushOutbox() {
    if (apiKnown === false) return;  // kept until a page with a ticket service sends them
    var list = queued();
    list.forEach(function (entry) {
      sendTicket(entry.body, entry.key).then(function (json) {
        setQueued(queued().filter(function (e) { return e.key !== entry.key; }));
        var status = document.getElementById("hc-form-status");
        if (status && json.reference) status.textContent = strings.sent.replace("{reference}", json.reference);
      }, function (error) {
        if (noService(error.status)) apiAbsent();  // kept: no service answered it
        else if (error.status) setQueued(queued().filter(function (e) { return e.key !== entry.key; }));
      });
    });
  }
  window.addEventListener("online", flushOutbox);
  if (navigator.onLine && queued().length) apiReady().then(flushOutbox);

  // ---- The request form ------------------------------------------------------------------
  var form = document.querySelector("[data-hc-form]");
  if (form) enhanceForm(form);

  function enhanceForm(form) {
    var summary = document.getElementById("hc-form-summary");
    var status = document.getElementById("hc-form-status");
    var unavailable = document.getElementById("hc-form-unavailable");
    // No ticket service answers at the configured address (learnt earlier in this visit, or
    // by this form's send): say how else to reach support; the draft stays on this device.
    function showUnavailable() {
      form.hidden = true;
      status.textContent = "";
      if (unavailable) unavailable.hidden = false;
    }
    if (apiKnown === false) { showUnavailable(); return; }
    apiReady().then(function (yes) { if (yes === false) showUnavailable(); });
    // The fill time is measured on the browser's monotonic clock (performance.now(), from the
    // form being shown to its sending): the service never compares the device's clock with its
    // own, so a clock set hours off cannot make a person look like a bot. A draft kept from an
    // earlier visit brings the time already spent on it (each visit measured on its own page's
    // clock, then added up): coming back to send it is not the speed of a bot.
    var shown = performance.now();
    var draftKey = "helpcenter.draft." + config.locale;
    form.noValidate = true;  // our messages, in the page's language, replace the browser's

    var prefill = null;
    try { prefill = JSON.parse(sessionStorage.getItem("helpcenter.prefill")); } catch (e) { /* none */ }
    var draft = null;
    try { draft = JSON.parse(localStorage.getItem(draftKey)); } catch (e) { /* none */ }
    var spent = draft && draft.fill_ms > 0 ? Number(draft.fill_ms) : 0;
    function fillMs() { return Math.round(spent + performance.now() - shown); }
    var initial = Object.assign({}, draft || {}, prefill || {});
    Object.keys(initial).forEach(function (name) {
      var input = form.elements[name];
      if (input && input.type !== "file" && !input.value) input.value = initial[name];
    });
    sessionStorage.removeItem("helpcenter.prefill");
    form.addEventListener("input", function () {
      var values = {};
      ["name", "email", "subject", "message", "category"].forEach(function (name) {
        if (form.elements[name]) values[name] = form.elements[name].value;
      });
      values.fill_ms = fillMs();
      try { localStorage.setItem(draftKey, JSON.stringify(values)); } catch (e) { /* full */ }
    });

    suggestArticles(form.elements.subject);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var errors = validate(form);
      if (showErrors(form, summary, errors)) return;
      var body = ticketBody(form, fillMs());
      var files = form.elements.attachments ? Array.prototype.slice.call(form.elements.attachments.files) : [];
      // One Idempotency-Key per content: a resend of the same request (its answer was lost)
      // returns the same ticket; an edited one is a new request, which the service would
      // refuse under the old key (422 idempotency_key_reused).
      var sent = JSON.stringify([body.name, body.email, body.subject, body.message, body.category,
                                 body.fields, files.map(function (f) { return [f.name, f.size, f.lastModified]; })]);
      if (form.dataset.keyFor !== sent) { form.dataset.key = newKey(); form.dataset.keyFor = sent; }
      var key = form.dataset.key;
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      status.textContent = strings.sending;
      sendTicket(body, key, files).then(function (json) {
        localStorage.removeItem(draftKey);
        form.hidden = true;
        status.textContent = strings.sent.replace("{reference}", json.reference);
        status.focus && status.setAttribute("tabindex", "-1");
        status.focus();
      }, function (error) {
        button.disabled = false;
        if (error.status === 422) {
          showErrors(form, summary, serverErrors(error.errors));
        } else if (noService(error.status)) {
          apiAbsent();
          showUnavailable();
        } else if (!error.status && !files.length) {
          // Offline or unreachable: keep it here and send it when the connection returns.
          setQueued(queued().concat([{ key: key, body: body }]));
          localStorage.removeItem(draftKey);
          form.hidden = true;
          status.textContent = strings.offline;
        } else {
          status.textContent = strings.failed;
        }
      });
    });
  }

  function ticketBody(form, fillMs) {
    var body = { locale: config.locale, context: visitContext("form"), fill_ms: fillMs, fields: {} };
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.type === "file" || input.type === "submit") return;
      if (input.name.indexOf("fields.") === 0) {
        if (input.value) body.fields[input.name.slice(7)] = input.value;
      } else if (input.name.indexOf("context.") !== 0 && input.name !== "locale") {
        if (input.value !== "") body[input.name] = input.value;
      }
    });
    return body;
  }

  // The service's own address pattern (helpcenter/request_form.py), so both refuse the same.
  var EMAIL = new RegExp(config.emailPattern);
  function validate(form) {
    var errors = {};
    Array.prototype.forEach.call(form.querySelectorAll("input, textarea, select"), function (input) {
      if (!input.name || input.closest(".hc-trap")) return;
      var value = input.type === "file" ? "" : input.value.trim();
      if (input.required && !value) errors[input.name] = "required";
      else if (value && input.type === "email" && !EMAIL.test(value)) errors[input.name] = "invalid_email";
      else if (value && input.maxLength > 0 && input.value.length > input.maxLength) errors[input.name] = "too_long";
      else if (value && input.pattern && !new RegExp("^(?:" + input.pattern + ")$").test(value)) errors[input.name] = "invalid";
      if (input.type === "file") {
        var files = Array.prototype.slice.call(input.files);
        if (files.length > Number(input.dataset.maxFiles)) errors[input.name] = "too_many";
        else if (files.some(function (f) { return f.size > Number(input.dataset.maxBytes); })) errors[input.name] = "too_large";
      }
    });
    return errors;
  }
  function serverErrors(errors) {
    var mapped = {};
    Object.keys(errors).forEach(function (key) { mapped[key] = errors[key].code; });
    return mapped;
  }
  // Errors next to each field and in a summary that takes the focus, as GOV.UK does.
  function showErrors(form, summary, errors) {
    var list = summary.querySelector("ul");
    list.textContent = "";
    Array.prototype.forEach.call(form.querySelectorAll(".hc-field__error"), function (p) { p.textContent = ""; });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) { el.removeAttribute("aria-invalid"); });
    var names = Object.keys(errors);
    summary.hidden = names.length === 0;
    names.forEach(function (name) {
      var input = form.elements[name];
      var label = input && form.querySelector("label[for='" + input.id + "']");
      var text = (strings[errors[name]] || strings.invalid)
        .replace("{field}", label ? label.firstChild.textContent.trim() : name);
      if (input && input.id) {
        input.setAttribute("aria-invalid", "true");
        var slot = document.getElementById(input.id + "-error");
        if (slot) slot.textContent = text;
      }
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = input && input.id ? "#" + input.id : "#";
      link.textContent = text;
      item.appendChild(link);
      list.appendChild(item);
    });
    if (names.length) summary.focus();
    return names.length > 0;
  }

  // Up to five articles for what the customer is typing in the subject, in their language.
  function suggestArticles(input) {
    var box = document.getElementById("hc-suggestions");
    if (!input || !box) return;
    var list = box.querySelector("ul");
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value.trim();
      timer = setTimeout(function () {
        if (query.length < 2) { box.hidden = true; return; }
        loadPagefind().then(function (pf) {
          return pf.search(searchTerms(query)).then(function (search) { return withSynonyms(pf, query, search); });
        }).then(function (search) {
          return Promise.all(search.results.slice(0, 5).map(function (r) { return r.data(); }));
        }).then(function (items) {
          if (input.value.trim() !== query) return;
          list.textContent = "";
          items.forEach(function (item) {
            var li = document.createElement("li");
            var a = document.createElement("a");
            a.href = item.url;
            a.textContent = plainText(item.meta.title) || item.url;
            a.addEventListener("click", function () {
              var path = new URL(item.url, location.href).pathname;
              setPending({ path: path, query: query });
              record({ type: "suggestion_click", query: query, article: path, page: location.pathname });
            });
            li.appendChild(a);
            list.appendChild(li);
          });
          box.hidden = items.length === 0;
        }).catch(function () { box.hidden = true; });
      }, 300);
    });
  }

  // ---- Chat: vendor adapters and escalation ---------------------------------------------
  // Whether chat counts as online: any configured region open now, in its own time zone.
  function chatOnline(hours, at) {
    if (!hours || !hours.length) return true;
    var now = at || new Date();
    return hours.some(function (slot) {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", { timeZone: slot.timezone, weekday: "short", hour: "2-digit",
        minute: "2-digit", hourCycle: "h23" }).formatToParts(now).forEach(function (p) { parts[p.type] = p.value; });
      var day = parts.weekday.slice(0, 3).toLowerCase();
      var time = parts.hour + ":" + parts.minute;
      return (slot.days || []).indexOf(day) >= 0 && time >= slot.open && time < slot.close;
    });
  }
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }
  // Each adapter: `before` sets the vendor's globals, `after` passes the locale and context.
  var adapters = {
    crisp: {
      before: function (s) { window.$crisp = []; window.CRISP_WEBSITE_ID = s.website_id;
        window.CRISP_RUNTIME_CONFIG = { locale: config.locale }; },
      after: function (s, ctx) { window.$crisp.push(["set", "session:data", [[["helpcenter_searches",
        ctx.searches.join(" | ")], ["helpcenter_page", ctx.page_url]]]]); },
    },
    chatwoot: {
      before: function () { window.chatwootSettings = { locale: config.locale }; },
      after: function (s, ctx) {
        window.chatwootSDK.run({ websiteToken: s.website_token, baseUrl: s.base_url });
        window.addEventListener("chatwoot:ready", function () {
          window.$chatwoot.setLocale(config.locale);
          window.$chatwoot.setCustomAttributes({ helpcenter_searches: ctx.searches.join(" | "),
            helpcenter_page: ctx.page_url });
        });
      },
    },
    zendesk: {
      after: function (s, ctx) { window.zE("messenger:set", "locale", config.locale);
        if (s.context_field) window.zE("messenger:set", "conversationFields",
          [{ id: s.context_field, value: ctx.searches.join(" | ") }]); },
    },
    intercom: {
      before: function (s) { window.intercomSettings = { app_id: s.app_id, language_override: config.locale }; },
      after: function (s, ctx) { window.Intercom("update", { language_override: config.locale,
        helpcenter_searches: ctx.searches.join(" | "), helpcenter_page: ctx.page_url }); },
    },
  };
  var chat = config.chat || { provider: "none" };
  var chatState = { provider: chat.provider || "none", online: false, loaded: false };
  if (chatState.provider !== "none") {
    chatState.online = chatOnline(chat.hours);
    var adapter = adapters[chatState.provider] || (window.HelpCenterAdapters || {})[chatState.provider];
    if (adapter && chatState.online && chat.script_url) {
      var settings = chat.settings || {};
      if (adapter.before) adapter.before(settings);
      loadScript(chat.script_url).then(function () {
        chatState.loaded = true;
        if (adapter.after) adapter.after(settings, HelpCenter.context());
      }, function () { chatState.online = false; });
    }
  }

  // ---- window.HelpCenter -----------------------------------------------------------------
  // A function and an object: `HelpCenter("on", "search", fn)` and `HelpCenter.on(...)` both
  // work; calls queued by the stub before this script loaded are replayed below.
  var queue = (window.HelpCenter && window.HelpCenter.q) || [];
  function HelpCenter(method) {
    return HelpCenter[method].apply(HelpCenter, Array.prototype.slice.call(arguments, 1));
  }
  HelpCenter.version = 1;
  HelpCenter.context = function () {
    var context = visitContext("form");
    return { locale: config.locale, page_url: location.href, searches: context.searches,
             articles_viewed: context.articles_viewed };
  };
  HelpCenter.on = function (event, fn) {
    (listeners[event] = listeners[event] || []).push(fn);
    if (event === "ready" && HelpCenter.ready) fn({ locale: config.locale });
  };
  // A ticket from anywhere (a chat escalation, a widget), with the visit's context attached.
  HelpCenter.createTicket = function (fields) {
    fields = fields || {};
    var channel = fields.channel || "chat";
    var context = visitContext(channel);
    context.page_url = location.href;
    if (channel === "chat") {
      context.chat = { vendor: fields.vendor || chatState.provider,
                       conversation_id: fields.conversation_id, transcript: fields.transcript || [] };
    }
    var body = { name: fields.name, email: fields.email, subject: fields.subject,
                 message: fields.message, locale: config.locale, category: fields.category,
                 fields: fields.fields, context: context };
    return sendTicket(body, fields.idempotency_key || newKey());
  };
  HelpCenter.openRequestForm = function (prefill) {
    try { sessionStorage.setItem("helpcenter.prefill", JSON.stringify(prefill || {})); } catch (e) { /* */ }
    location.href = config.requestUrl;
  };
  HelpCenter.chat = { state: chatState, online: function () { return chatState.online; },
                      isOpen: chatOnline, adapters: adapters };
  HelpCenter.search = boxes;
  HelpCenter.searchQuery = function (pf, query) {
    return pf.search(searchTerms(query)).then(function (search) { return withSynonyms(pf, query, search); });
  };
  window.HelpCenter = HelpCenter;
  queue.forEach(function (args) {
    try { HelpCenter.apply(null, Array.prototype.slice.call(args)); } catch (e) { console.error(e); }
  });
  HelpCenter.ready = true;
  emit("ready", { locale: config.locale });
})();
