// Registers the diary's service worker (offline page). Every page works without it.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/diary/sw.js", { scope: "/diary/" }).catch(() => {});
  });
}

// «Распечатать неделю»: the browser's print of the week (one A4 page, see diary.css).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
