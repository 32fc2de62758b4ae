/*
 * helpcenter theme script: Pagefind search boxes and the remembered language choice.
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

  // An explicit language choice is remembered; the root page reads it on the next visit.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-hc-locale-link]");
    if (!link) return;
    try { localStorage.setItem(LOCALE_KEY, link.getAttribute("hreflang")); } catch (e) { /* private mode */ }
  });

  function loadPagefind() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(function (pf) {
        return pf.options({ baseUrl: root.pathname, excerptLength: 24 }).then(function () {
          return pf;
        });
      });
      pagefind.catch(function () { pagefind = null; });
    }
    return pagefind;
  }

  function countText(n) {
    var rule = "other";
    try { rule = new Intl.PluralRules(config.locale).select(n); } catch (e) { /* old browser */ }
    return (rule === "one" && n === 1 ? strings.one : strings.other).replace("{count}", n);
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

  SearchBox.prototype.search = function (query) {
    var box = this;
    this.query = query;
    if (!query.trim()) {
      this.render([], "");
      return;
    }
    this.status.textContent = strings.searching;
    loadPagefind()
      .then(function (pf) { return pf.debouncedSearch(query, {}, 150); })
      .then(function (search) {
        if (search === null || box.query !== query) return null; // superseded by newer typing
        return Promise.all(search.results.slice(0, MAX_RESULTS).map(function (r) { return r.data(); }))
          .then(function (items) {
            if (box.query !== query) return;
            var total = search.results.length;
            box.render(items, total ? countText(total) : strings.none.replace("{query}", query));
          });
      })
      .catch(function () { box.render([], strings.unavailable); });
  };

  SearchBox.prototype.render = function (items, status) {
    this.status.textContent = status;
    this.results.textContent = "";
    this.element.classList.toggle("hc-search--results", items.length > 0 || status !== "");
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.className = "hc-search__result";
      var title = document.createElement("strong");
      title.textContent = item.meta.title || item.url;
      a.appendChild(title);
      if (item.meta.category) {
        var category = document.createElement("small");
        category.textContent = item.meta.category;
        a.appendChild(category);
      }
      var excerpt = document.createElement("span");
      excerpt.innerHTML = item.excerpt; // Pagefind escapes the text and adds only <mark>
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

  window.helpcenter = { search: boxes };
})();
