// "Sätt ihop ett eget utskriftspaket": lists the ticked parts on the print cover, offers a print
// button and "Hela kapitlet" boxes. The print stylesheet prints only the ticked parts, so the page
// prints right without this script too. Nothing is stored: no cookies, no storage.
(function () {
  "use strict";

  function setUp() {
    var root = document.querySelector(".utskriftspaket");
    if (!root || root.dataset.klar) return;
    root.dataset.klar = "1";
    var boxes = Array.prototype.slice.call(root.querySelectorAll(".up-del > input[type=checkbox]"));
    var list = root.querySelector(".up-innehall");
    var count = root.querySelector(".up-antal");
    var button = root.querySelector(".up-skriv-ut");

    function update() {
      var chosen = boxes.filter(function (b) { return b.checked; });
      list.textContent = "";
      chosen.forEach(function (b) {
        var item = document.createElement("li");
        item.textContent = b.getAttribute("data-titel");
        list.appendChild(item);
      });
      if (!chosen.length) {
        var none = document.createElement("li");
        none.textContent = "Inget valt ännu.";
        list.appendChild(none);
      }
      count.textContent = chosen.length === 1 ? "1 del vald." : chosen.length + " delar valda.";
      root.querySelectorAll(".up-hela input").forEach(function (whole) {
        var own = boxes.filter(function (b) { return b.closest(".up-del").dataset.kapitel === whole.dataset.kapitel; });
        var ticked = own.filter(function (b) { return b.checked; }).length;
        whole.checked = ticked === own.length;
        whole.indeterminate = ticked > 0 && ticked < own.length;
      });
    }

    root.addEventListener("change", function (event) {
      var whole = event.target.closest(".up-hela input");
      if (whole) {
        boxes.forEach(function (b) {
          if (b.closest(".up-del").dataset.kapitel === whole.dataset.kapitel) b.checked = whole.checked;
        });
      }
      update();
    });
    root.querySelectorAll(".up-hela").forEach(function (p) { p.hidden = false; });
    button.hidden = false;
    button.addEventListener("click", function () { update(); window.print(); });
    window.addEventListener("beforeprint", update);
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
  // Material's instant navigation swaps pages without reloading scripts.
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(setUp);
})();
