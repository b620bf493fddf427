/* MBR page: draws the section charts (data in the #mbr-charts json_script island). */
(function () {
  "use strict";
  const island = document.getElementById("mbr-charts");
  if (!island) return;
  const charts = JSON.parse(island.textContent);
  ["sales", "availability", "traffic", "advertising"].forEach((name) => {
    window.coopdeskCharts.draw(document.getElementById(`chart-${name}`), charts[name]);
  });
  // Charts resize with the page; before printing, fit them to the paper width.
  window.addEventListener("beforeprint", () => {
    Object.values(Chart.instances || {}).forEach((chart) => chart.resize());
  });
})();
