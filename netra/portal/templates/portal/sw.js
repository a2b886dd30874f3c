// The report form's service worker (issue #15, item 5). Scope: the report form's directory.
// It keeps the empty form page and its static files so the form opens without a connection.
// It never stores a POST (the report itself waits in IndexedDB, report-form.js) and never
// touches the receipt, the status page or anything else: those go to the network, uncached.
"use strict";
const CONFIG = {{ config|safe }};
const CACHE = "netra-form-" + CONFIG.version;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll([CONFIG.form, ...CONFIG.assets])).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("netra-form-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === CONFIG.form && !url.search) {
    // The empty form: fresh from the network when there is one, else the copy kept.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(CONFIG.form, copy));
          }
          return response;
        })
        .catch(() => caches.match(CONFIG.form))
    );
    return;
  }
  if (CONFIG.assets.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  }
  // Anything else — the receipt, the status page, the PDF — is not handled here: never cached.
});
