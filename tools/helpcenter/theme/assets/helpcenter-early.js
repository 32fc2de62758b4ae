/*
 * The scripts that must run at one point of the page, before it is painted: those Material
 * writes inline, and the live incident notices (step `status`). Here as one file, so that the
 * site's Content-Security-Policy allows no inline script: each <script
 * src="…/helpcenter-early.js" data-hc-step="…"> runs its steps where it stands (the browser
 * fetches the file once). Material's own code, unminified only where it reads what the
 * template wrote in (data-* attributes of the tag). A tag may name several steps
 * (data-hc-step="base status"), run in that order.
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
    },
    // main.html, with the base step when the site has an API: live incident notices.
    status: incidentStatus
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

  // Live incident notices: GET {api}/status every few seconds, the open incidents shown in the
  // page's language (the source's text where a locale has none) in the live region #hc-status,
  // and on the request form the ones matching the chosen category ("Known issue: …").
  //
  // Run by the head's first script (no second one to hold the first paint back), before the
  // first paint, so nothing ever moves: when this visit already knows of an incident
  // (sessionStorage), <html> gets `hc-incident` and the region keeps a fixed-height band above
  // the content from the start; a notice learnt on this page shows as a bar over the top of the
  // content, under the header, which moves nothing either.
  //
  // The first request leaves from the head, with the stylesheets, so that a notice is painted
  // with the page (not seconds later, as the page's largest text). It is also the visit's one
  // check for the service: its answer is remembered where helpcenter.js keeps its own
  // (sessionStorage "helpcenter.api"), and helpcenter.js waits for it instead of asking
  // {api}/health as well (window.helpcenterServiceCheck). A static host answers it with the
  // theme's stand-in (theme/api/status: no incident, `service: false`), as it answers the health
  // check. From then on it asks only while the service is known to be there: without one, or
  // once it fails, nothing more is requested and nothing shows. Texts come from staff and status
  // pages: they are inserted as text (textContent), never as HTML.
  function incidentStatus() {
    var api = data.api || "";
    var STATUS_KEY = "helpcenter.status", SEEN_KEY = "helpcenter.incidents.seen";
    var API_KEY = "helpcenter.api";
    var POLL_MS = 4000;  // with the 10 s max-age revalidated (no-cache), a notice shows in < 10 s
    var WAIT_MS = 250;   // while helpcenter.js's health check is out
    var html = document.documentElement;
    if (!api) return;

    function read(key) {
      try { return JSON.parse(sessionStorage.getItem(key)); } catch (e) { return null; }
    }
    function write(key, value) {
      try { sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
    }
    var cached = read(STATUS_KEY);
    var known = cached && cached.api === api && Array.isArray(cached.incidents) ? cached.incidents : [];
    // Before the first paint: the band's room, when this visit knows of an open incident.
    if (known.length) html.classList.add("hc-incident");

    var region = null, formBox = null, category = null, timer = null, busy = false, stopped = false,
        asked = false, waits = 0, latest = null;

    function serviceThere() {
      var health = read(API_KEY);
      return health && health.api === api ? health.present : null;
    }
    function poll() {
      timer = null;
      if (busy || stopped || document.hidden) return;  // a hidden tab asks nothing until shown
      var present = serviceThere();
      if (present === false) { stopped = true; return; }  // a static host: ask no more
      if (present !== true && asked) {  // not known yet (or down at the check): look again, then less often
        timer = setTimeout(poll, ++waits < 40 ? WAIT_MS : POLL_MS);
        return;
      }
      var checking = present === null && !asked;  // the visit's service check, this request
      asked = busy = true;
      var request = fetch(api + "/status", { cache: "no-cache", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (response.status === 404 || response.status === 405 || response.status === 501) return { service: false };
          if (!response.ok) throw new Error("status " + response.status);
          return response.json();
        })
        .then(function (body) {
          busy = false;
          if (!body || body.service === false || !Array.isArray(body.incidents)) {  // the static stand-in
            stopped = true;
            if (checking) write(API_KEY, { api: api, present: false });
            return false;
          }
          if (checking) write(API_KEY, { api: api, present: true });
          write(STATUS_KEY, { api: api, incidents: body.incidents });
          latest = body.incidents;
          show(latest);
          timer = setTimeout(poll, POLL_MS);
          return true;
        })
        .catch(function () { busy = false; stopped = true; return null; /* down now: what shows stays, and the page asks no more */ });
      if (checking) window.helpcenterServiceCheck = request;  // true, false, or null: not known
    }

    function textOf(incident) {
      var texts = incident.texts || {};
      if (typeof texts[data.locale] === "string") return { text: texts[data.locale], lang: data.locale };
      return { text: String(texts[data.source] || ""), lang: data.source };
    }
    function item(incident) {
      var chosen = textOf(incident);
      var p = document.createElement("p");
      p.className = "hc-status__item hc-status__item--" + (incident.severity === "major" ? "major" : "minor");
      p.setAttribute("data-incident", String(incident.id));
      if (chosen.lang !== data.locale) {  // the source's text on another locale's page
        p.lang = chosen.lang;
        p.dir = data.sourceDir || "auto";
      }
      p.textContent = (data.known || "{text}").replace("{text}", chosen.text);
      if (chosen.lang === data.locale && (incident.machine || []).indexOf(data.locale) >= 0 && data.machine) {
        var note = document.createElement("span");
        note.className = "hc-status__machine";
        note.textContent = " " + data.machine;
        p.appendChild(note);
      }
      return p;
    }
    function fill(box, incidents) {
      var wanted = incidents.map(function (i) { return String(i.id) + ":" + textOf(i).text + ":" + i.severity; }).join("|");
      if (box.getAttribute("data-shown") === wanted) return false;  // unchanged: no re-announcement
      box.setAttribute("data-shown", wanted);
      while (box.firstChild) box.removeChild(box.firstChild);
      incidents.forEach(function (incident) { box.appendChild(item(incident)); });
      // Keyboard users can scroll a band whose notices do not fit its fixed height.
      if (box.scrollHeight > box.clientHeight + 1) box.tabIndex = 0; else box.removeAttribute("tabindex");
      return true;
    }
    function show(incidents) {
      if (!region) return;
      region.classList.toggle("hc-status--bar", !html.classList.contains("hc-incident"));
      fill(region, incidents);
      if (formBox && html.classList.contains("hc-incident")) {
        // The request form: the incidents about the chosen category (one without a category
        // concerns every request), in a box whose room was kept before the first paint.
        fill(formBox, incidents.filter(function (i) { return !i.category || !category || i.category === category; }));
      }
      incidents.forEach(seen);
    }
    function seen(incident) {  // once per visit and incident: the report's "visits that saw it"
      var done = read(SEEN_KEY) || {};
      if (done[incident.id]) return;
      done[incident.id] = 1;
      write(SEEN_KEY, done);
      var body = JSON.stringify({ type: "incident_seen", locale: data.locale, incident: incident.id,
                                  page: location.pathname });
      try {
        if (navigator.sendBeacon && navigator.sendBeacon(api + "/events", new Blob([body], { type: "application/json" }))) return;
      } catch (e) { /* fetch below */ }
      fetch(api + "/events", { method: "POST", keepalive: true, body: body,
                               headers: { "Content-Type": "application/json" } }).catch(function () {});
    }

    function start() {
      region = document.getElementById("hc-status");
      formBox = document.getElementById("hc-form-incident");
      var select = document.getElementById("hc-category");
      if (select) {
        category = select.value || null;
        select.addEventListener("change", function () {
          category = select.value || null;
          var last = read(STATUS_KEY);
          show(last && last.api === api && Array.isArray(last.incidents) ? last.incidents : []);
        });
      }
      if (latest || known.length) show(latest || known);
    }
    poll();  // now, from the head
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
    // Nothing pending when the page is left (the back/forward cache keeps it); restored or shown
    // again, it polls at once.
    window.addEventListener("pagehide", function () { clearTimeout(timer); timer = null; });
    window.addEventListener("pageshow", function (event) { if (event.persisted && !timer) poll(); });
    document.addEventListener("visibilitychange", function () { if (!document.hidden && !timer) poll(); });
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

  String(data.hcStep || "").split(" ").forEach(function (name) {
    if (steps[name]) steps[name]();
  });
})(document.currentScript);
