// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
  }
});

// A table wider than the screen scrolls inside its frame: keyboard users must be able to
// reach that frame to scroll it (arrows), so it becomes focusable and gets a name.
function ejournalScrollFrames(root) {
  root.querySelectorAll(".table-wrap").forEach((frame) => {
    const scrolls = frame.scrollWidth > frame.clientWidth + 1 || frame.scrollHeight > frame.clientHeight + 1;
    if (!scrolls || frame.hasAttribute("tabindex")) return;
    // Links or inputs inside already let the keyboard reach (and scroll) the frame.
    if (frame.querySelector("a[href], button, input, select, textarea")) return;
    frame.tabIndex = 0;
    frame.setAttribute("role", "region");
    const caption = frame.querySelector("caption");
    frame.setAttribute("aria-label", caption ? caption.textContent.trim() : "Таблица (прокручивается)");
  });
}
document.addEventListener("DOMContentLoaded", () => ejournalScrollFrames(document));
document.addEventListener("htmx:afterSettle", (event) => ejournalScrollFrames(event.target));
