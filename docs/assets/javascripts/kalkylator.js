// The compensation calculator on the page "Anvisning och ersättning".
// Same sum as the worked example in guidance/anvisning.yml: the municipality's share
// (per mille) of the forecast, rounded to the nearest whole child, times the amount per
// child. Runs in the browser only: nothing is sent or stored.
(function () {
  "use strict";

  function parseNumber(text) {
    var cleaned = String(text).replace(/[\s\u00a0]/g, "").replace(",", ".");
    if (!/^\d+(\.\d+)?$/.test(cleaned)) return NaN;
    return parseFloat(cleaned);
  }

  // Whole kronor in groups of three, as Swedish writes them ("132 300 kr", no-break spaces).
  // Written out rather than Intl.NumberFormat("sv-SE"): loading the locale's number data takes
  // longer on a phone than the whole page's own script, and the amounts are whole numbers.
  function kronor(amount) {
    return String(amount).replace(/\B(?=(\d{3})+$)/g, "\u00a0") + "\u00a0kr";
  }

  function setUp(form) {
    var output = form.querySelector("output");
    var perChild = parseInt(form.getAttribute("data-belopp-per-barn"), 10);

    function calculate() {
      var share = parseNumber(form.elements.andel.value);
      var forecast = parseNumber(form.elements.prognos.value);
      if (isNaN(share) || share < 0 || share > 1000) {
        output.textContent = "Skriv andelen som ett tal i promille, till exempel 9,45.";
        return;
      }
      if (isNaN(forecast) || forecast < 0 || Math.floor(forecast) !== forecast) {
        output.textContent = "Skriv prognosen som ett helt antal barn, till exempel 1500.";
        return;
      }
      var children = Math.round((share / 1000) * forecast);
      output.textContent = "Kommunen väntas ta emot " + children + " barn enligt prognosen. " +
        "Rörlig ersättning: " + children + " × " + kronor(perChild) + " = " + kronor(children * perChild) + ".";
      output.setAttribute("data-barn", String(children));
      output.setAttribute("data-summa", String(children * perChild));
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      calculate();
    });
    calculate();
  }

  function init() {
    var forms = document.querySelectorAll("form.kalkylator");
    for (var i = 0; i < forms.length; i++) setUp(forms[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
