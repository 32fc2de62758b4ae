/*
 * The scripts that must run at one point of the page, before it is painted, which Material
 * writes inline. Here as one file, so that the site's Content-Security-Policy allows no inline
 * script: each <script src="…/helpcenter-early.js" data-hc-step="…"> runs its step where it
 * stands (the browser fetches the file once). Material's own code, unminified only where it
 * reads what the template wrote in (data-* attributes of the tag).
 */
(function (tag) {
  var data = tag ? tag.dataset : {};
  var steps = {
    // partials/javascripts/base.html: where Material keeps its state, per site.
    base: function () {
      window.__md_scope = new URL(data.scope || ".", location);
      window.__md_hash = function (e) {
        return Array.from(e).reduce(function (e, _) { return (e << 5) - e + _.charCodeAt(0); }, 0);
      };
      window.__md_get = function (e, _, t) {
        _ = _ || localStorage; t = t || __md_scope;
        return JSON.parse(_.getItem(t.pathname + "." + e));
      };
      window.__md_set = function (e, _, t, a) {
        t = t || localStorage; a = a || __md_scope;
        try { t.setItem(a.pathname + "." + e, JSON.stringify(_)); } catch (err) {}
      };
      skipSitemaps(XMLHttpRequest.prototype);
      // A search in the address (?q=, helpcenter.js runs it): its results get their room
      // before the first paint, so nothing moves when they arrive, and Pagefind starts now.
      if (/[?&]q=[^&]/.test(location.search)) {
        document.documentElement.classList.add("hc-query");
        startPagefind();
      }
    },
    // partials/javascripts/palette.html: the colour scheme the reader chose.
    palette: function () {
      var palette = __md_get("__palette");
      if (!(palette && palette.color)) return;
      if (palette.color.media === "(prefers-color-scheme)") {
        var media = matchMedia("(prefers-color-scheme: light)");
        var input = document.querySelector(media.matches
          ? "[data-md-color-media='(prefers-color-scheme: light)']"
          : "[data-md-color-media='(prefers-color-scheme: dark)']");
        palette.color.media = input.getAttribute("data-md-color-media");
        palette.color.scheme = input.getAttribute("data-md-color-scheme");
        palette.color.primary = input.getAttribute("data-md-color-primary");
        palette.color.accent = input.getAttribute("data-md-color-accent");
      }
      for (var key in palette.color) document.body.setAttribute("data-md-color-" + key, palette.color[key]);
    },
    // partials/javascripts/announce.html: a banner dismissed before stays hidden.
    announce: function () {
      var el = document.querySelector("[data-md-component=announce]");
      if (!el) return;
      var content = el.querySelector(".md-typeset");
      if (__md_hash(content.innerHTML) === __md_get("__announce")) el.hidden = true;
    },
    // partials/javascripts/outdated.html: the "old version" banner of versioned sites.
    outdated: function () {
      var el = document.querySelector("[data-md-component=outdated]");
      var outdated = __md_get("__outdated", sessionStorage, new URL(data.base, location));
      if (outdated === true && el) el.hidden = false;
    },
    // partials/javascripts/content.html: the content tab the reader chose, or the one linked.
    content: function () {
      var tabs = data.tabsLink !== undefined ? __md_get("__tabs") : null;
      if (Array.isArray(tabs)) {
        outer: for (var set of document.querySelectorAll(".tabbed-set")) {
          var labels = set.querySelector(".tabbed-labels");
          for (var tab of tabs) {
            for (var label of labels.getElementsByTagName("label")) {
              if (label.innerText.trim() === tab) {
                document.getElementById(label.htmlFor).checked = true;
                continue outer;
              }
            }
          }
        }
      }
      var target = document.getElementById(location.hash.slice(1));
      if (target && target.name) target.checked = target.name.startsWith("__tabbed_");
    },
    // partials/javascripts/consent.html: the cookie consent form, if the site has one.
    consent: function () {
      var form = document.forms.consent;
      var consent = __md_get("__consent");
      if (consent) {
        for (var input of form.elements) if (input.name) input.checked = consent[input.name] || false;
      } else if (location.protocol !== "file:") {
        setTimeout(function () { document.querySelector("[data-md-component=consent]").hidden = false; }, 250);
      }
      ["submit", "reset"].forEach(function (action) {
        form.addEventListener(action, function (event) {
          event.preventDefault();
          if (event.type === "reset") for (var n of form.elements) if (n.name) n.checked = false;
          __md_set("__consent", Object.fromEntries(Array.from(new FormData(form).keys())
            .map(function (key) { return [key, true]; })));
          location.hash = "";
          location.reload();
        });
      });
    },
    // root.html: send the visitor to their language (README, section Languages).
    root: function () {
      var codes = JSON.parse(data.codes);
      var choice = null;
      try { choice = localStorage.getItem("helpcenter.locale"); } catch (e) {}
      if (codes.indexOf(choice) < 0) choice = pick(codes, navigator.languages || [navigator.language || ""]);
      document.addEventListener("click", function (event) {
        var link = event.target.closest("[data-hc-locale-link]");
        if (link) try { localStorage.setItem("helpcenter.locale", link.getAttribute("hreflang")); } catch (e) {}
      });
      location.replace((choice || data.source) + "/");
    }
  };

  /* Material's bundle fetches sitemap.xml beside every <link rel=alternate> to remap language
     links. Our switcher's links are exact already and there are no per-locale sitemaps, so
     those requests would only cost a phone eight 404s per page: fail them locally instead. */
  function skipSitemaps(xhr) {
    var open = xhr.open, send = xhr.send;
    xhr.open = function (method, url) {
      this.hcSkip = /\/sitemap\.xml$/.test(String(url));
      return open.apply(this, arguments);
    };
    xhr.send = function () {
      if (!this.hcSkip) return send.apply(this, arguments);
      var request = this;
      setTimeout(function () { request.dispatchEvent(new ProgressEvent("error")); });
    };
  }

  /* The results of a search from the address are the page's largest paint, at the end of a
     chain: Pagefind's module, then its worker, which fetches the bundle's entry, then the
     language's metadata and WebAssembly, then the query's chunks and fragments. Started here,
     at the top of the head, the module loads beside the stylesheets, and the worker starts as
     soon as the main thread is free, not after helpcenter.js at the end of the body (which
     picks up window.__hc_pagefind). (Fetching the worker's files from here too, into the
     HTTP cache, was measured: it gained nothing, the page's scripts hold the main thread that
     would issue them, and it fetches them twice from a host that forbids caching.) */
  function startPagefind() {
    var link = document.createElement("link");
    link.rel = "modulepreload";
    link.href = new URL("../pagefind/pagefind.js", tag.src).href;  // assets/ is beside pagefind/
    document.head.appendChild(link);
    window.__hc_pagefind = import(link.href).then(function (pf) {
      pf.init();
      return pf;
    });
    window.__hc_pagefind.catch(function () { /* helpcenter.js imports it again */ });
  }

  function pick(codes, wanted) {
    var lower = codes.map(function (c) { return c.toLowerCase().replace("_", "-"); });
    for (var i = 0; i < wanted.length; i++) {            // exact: pt-BR for pt-BR
      var exact = lower.indexOf(String(wanted[i]).toLowerCase());
      if (exact >= 0) return codes[exact];
    }
    for (var j = 0; j < wanted.length; j++) {            // language only: fr for fr-CA
      var base = String(wanted[j]).toLowerCase().split("-")[0];
      for (var k = 0; k < lower.length; k++) if (lower[k].split("-")[0] === base) return codes[k];
    }
    return null;
  }

  var step = steps[data.hcStep];
  if (step) step();
})(document.currentScript);
