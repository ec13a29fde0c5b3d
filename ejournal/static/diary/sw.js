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

// Web Push (ejournal/notifications/push.py): show the message; a tap opens its page.
self.addEventListener("push", (event) => {
  let message = { title: "Электронный дневник", body: "", url: "/" };
  try {
    message = { ...message, ...event.data.json() };
  } catch (error) {
    message.body = event.data ? event.data.text() : "";
  }
  event.waitUntil(
    self.registration.showNotification(message.title, {
      body: message.body,
      data: { url: message.url || "/" },
      icon: "/static/diary/icon-192.png",
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data.url, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => client.url === url);
      return open ? open.focus() : self.clients.openWindow(url);
    })
  );
});
