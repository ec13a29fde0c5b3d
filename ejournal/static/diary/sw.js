// Diary service worker: pages always come from the network (marks must never be stale);
// when the network is down, the offline page is shown instead.
const CACHE = "ejournal-diary-v1";
const OFFLINE_URL = "/diary/offline/";

self.addEventListener("install", (event) => {
  // Marked as background: the worker's own fetch is not the person being active.
  const offline = new Request(OFFLINE_URL, { headers: { "X-Background-Poll": "1" } });
  event.waitUntil(caches.open(CACHE).then((cache) => cache.add(offline)));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) =>
      Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key)))
    )
  );
  self.clients.claim();
});

self.addEventListener("fetch", (event) => {
  if (event.request.mode !== "navigate") {
    return;
  }
  event.respondWith(
    fetch(event.request).catch(() => caches.match(OFFLINE_URL))
  );
});
