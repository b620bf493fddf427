/* ASIN page: monthly and weekly trend charts (data in the #asin-charts json_script island). */
(function () {
  "use strict";
  const island = document.getElementById("asin-charts");
  if (!island) return;
  const charts = JSON.parse(island.textContent);
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const [grain, name] = canvas.dataset.chart.split(".");
    window.coopdeskCharts.draw(canvas, (charts[grain] || {})[name]);
  });
})();
