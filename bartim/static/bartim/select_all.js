// A table's "select all" box (input[data-select-all="NAME"]) ticks or unticks every box named
// NAME in the same table, and shows itself half-ticked when only some are. Without
// JavaScript the page offers "Apply to all shown" instead, which the server reads.
(function () {
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    var table = master.closest("table");
    var boxes = Array.prototype.slice.call(
      table.querySelectorAll("tbody input[type=checkbox]")
    );
    function reflect() {
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      master.checked = boxes.length > 0 && ticked === boxes.length;
      master.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    master.hidden = false;
    master.disabled = boxes.length === 0;
    master.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = master.checked; });
      reflect();
    });
    boxes.forEach(function (box) { box.addEventListener("change", reflect); });
    reflect();
  });
})();
