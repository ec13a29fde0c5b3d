// Registers the diary's service worker (offline page). Every page works without it.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/diary/sw.js", { scope: "/diary/" }).catch(() => {});
  });
}
