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

// A table's desa list holds the villages of the kecamatan chosen when the filters were last
// applied (programs/filters.py DesaFilter). Once another kecamatan is chosen, a desa of the
// old list no longer applies: it is cleared and the list waits for "Apply filters". The form
// is not sent on change: a keyboard user going through the kecamatan with the arrow keys
// would reload the page at each one.
(function () {
  document.querySelectorAll("form select[name=kecamatan]").forEach(function (kecamatan) {
    var desa = kecamatan.form && kecamatan.form.querySelector("select[name=desa]");
    if (!desa) {
      return;
    }
    kecamatan.addEventListener("change", function () {
      desa.value = "";
      desa.disabled = true;
    });
  });
})();
