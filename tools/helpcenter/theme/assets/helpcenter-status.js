/*
 * Live incident notices: GET {api}/status every few seconds, the open incidents shown in the
 * page's language (the source's text where a locale has none) in the live region #hc-status,
 * and on the request form the ones matching the chosen category ("Known issue: …").
 *
 * Loaded in <head>, before the first paint, so nothing ever moves: when this visit already
 * knows of an incident (sessionStorage), <html> gets `hc-incident` and the region keeps a
 * fixed-height band above the content from the start; a notice learnt on this page shows as a
 * bar over the top of the content, under the header, which moves nothing either.
 *
 * The first request leaves from the head, with the stylesheets, so that a notice is painted
 * with the page (not seconds later, as the page's largest text). It is also the visit's one
 * check for the service: its answer is remembered where helpcenter.js keeps its own
 * (sessionStorage "helpcenter.api"), and helpcenter.js waits for it instead of asking
 * {api}/health as well (window.helpcenterServiceCheck). A static host answers it with the
 * theme's stand-in (theme/api/status: no incident, `service: false`), as it answers the health
 * check. From then on it asks only while the service is known to be there: without one, or
 * once it fails, nothing more is requested and nothing shows. Texts come from staff and status
 * pages: they are inserted as text (textContent), never as HTML.
 */
(function (tag) {
  "use strict";
  var data = (tag && tag.dataset) || {};
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
})(document.currentScript);
