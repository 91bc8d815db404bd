// A table wider than its box scrolls inside it (.table-responsive). Keyboard users scroll it
// with the arrow keys once the box can take the focus, so the boxes that do scroll get a
// place in the tab order (axe-core: scrollable-region-focusable); the others get none.
(function () {
  function markScrollable() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
      } else {
        box.removeAttribute("tabindex");
      }
    });
  }
  markScrollable();
  window.addEventListener("resize", markScrollable);
})();
