/* Shared Chart.js drawing for the MBR and ASIN pages: reads the chart descriptions that
   reviews/charts.py produced (json_script) and draws them; nulls are gaps, never zeros. */
(function () {
  "use strict";

  function formatter(axis) {
    const format = (axis && axis.format) || "number";
    if (format === "percent") {
      return (v) => `${Number(v).toLocaleString(undefined, { maximumFractionDigits: 1 })} %`;
    }
    if (format === "money") {
      return (v) => Number(v).toLocaleString(undefined, { notation: "compact", maximumFractionDigits: 1 });
    }
    return (v) => Number(v).toLocaleString(undefined, { notation: "compact", maximumFractionDigits: 1 });
  }

  function scales(spec) {
    const out = {};
    Object.entries(spec.axes || {}).forEach(([id, axis]) => {
      out[id] = {
        position: axis.position || "left",
        beginAtZero: axis.format !== "percent" || id === "y1",
        grid: { drawOnChartArea: id === "y" },
        ticks: { callback: formatter(axis) },
      };
    });
    return out;
  }

  function draw(canvas, spec) {
    if (!canvas || !spec || typeof Chart === "undefined") return null;
    const datasets = spec.datasets.map((d) => ({
      label: d.label,
      data: d.data,
      type: d.type,
      yAxisID: d.yAxisID,
      backgroundColor: d.type === "bar" ? d.color + "cc" : d.color,
      borderColor: d.color,
      borderWidth: d.type === "bar" ? 0 : 2,
      borderDash: d.dashed ? [6, 4] : [],
      pointRadius: d.type === "line" ? 2 : 0,
      spanGaps: false,
      order: d.type === "line" ? 0 : 1,
    }));
    return new Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          title: { display: true, text: spec.title, align: "start", font: { weight: "600" } },
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: (ctx) => {
                const v = ctx.parsed.y;
                if (v === null || v === undefined) return `${ctx.dataset.label}: —`;
                return `${ctx.dataset.label}: ${Number(v).toLocaleString(undefined, { maximumFractionDigits: 2 })}`;
              },
            },
          },
        },
        scales: scales(spec),
      },
    });
  }

  window.coopdeskCharts = { draw: draw };

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
