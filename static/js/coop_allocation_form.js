// Fund split form: add line rows from the formset's empty form and show the lines total against the header.
(function () {
  "use strict";
  var form = document.getElementById("allocation-form");
  if (!form) { return; }
  var rows = document.getElementById("line-rows");
  var template = document.getElementById("line-template");
  var totalForms = form.querySelector("input[name='lines-TOTAL_FORMS']");
  var headerInput = form.querySelector("input[name='total_amount']");

  function toCents(text) {
    var value = parseFloat(String(text || "").replace(/,/g, ""));
    return isNaN(value) ? 0 : Math.round(value * 100);
  }
  function format(cents) {
    return (cents / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function refresh() {
    var sum = 0;
    rows.querySelectorAll("tr.line-row").forEach(function (row) {
      var remove = row.querySelector("input[type='checkbox'][name$='-DELETE']");
      var amount = row.querySelector("input[name$='-amount']");
      if (amount && !(remove && remove.checked)) { sum += toCents(amount.value); }
    });
    var header = toCents(headerInput && headerInput.value);
    var totalEl = document.getElementById("lines-total");
    totalEl.textContent = format(sum);
    totalEl.classList.toggle("text-danger", sum !== header);
    totalEl.classList.toggle("text-success", sum === header && sum > 0);
    document.getElementById("header-total").textContent = format(header);
  }
  document.getElementById("add-line").addEventListener("click", function () {
    var index = parseInt(totalForms.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    totalForms.value = String(index + 1);
    refresh();
  });
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();
})();
