/* ventanilla console: the dashboard's charts, drawn by Chart.js (vendored) from the figures
   the page carries as JSON; the tables under them say the same for those who do not see
   them. Plain script, no build step. */
(function () {
  "use strict";

  function colour(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var rtl = document.documentElement.dir === "rtl";
    var locale = document.documentElement.lang || "en";
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var accent = colour("--accent", "#1f5fae");
    var before = colour("--chart-before", "#9aa6b8");
    var ink = colour("--ink", "#1d2433");
    var line = colour("--line", "#d9dde5");
    window.Chart.defaults.color = ink;
    window.Chart.defaults.borderColor = line;
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

    data.charts.forEach(function (chart) {
      var canvas = document.getElementById("chart-" + chart.grouping);
      if (!canvas || !chart.labels.length) return;
      var bars = chart.kind === "bar";
      var datasets = [{
        label: data.current, data: chart.current, backgroundColor: accent, borderColor: accent,
        pointRadius: chart.labels.length > 45 ? 0 : 2, tension: 0.2
      }];
      if (bars) {
        datasets.push({label: data.previous, data: chart.previous, backgroundColor: before, borderColor: before});
      }
      new window.Chart(canvas, {
        type: chart.kind,
        data: {labels: chart.labels, datasets: datasets},
        options: {
          indexAxis: bars ? "y" : "x",
          locale: locale,
          animation: still ? false : {duration: 300},
          maintainAspectRatio: false,
          responsive: true,
          plugins: {
            legend: {display: bars, rtl: rtl, position: "bottom", textDirection: rtl ? "rtl" : "ltr"},
            tooltip: {rtl: rtl, textDirection: rtl ? "rtl" : "ltr"}
          },
          scales: bars
            ? {x: {beginAtZero: true, reverse: rtl, ticks: {precision: 0}}, y: {position: rtl ? "right" : "left"}}
            : {x: {reverse: rtl, ticks: {maxRotation: 0, autoSkip: true}},
               y: {beginAtZero: true, position: rtl ? "right" : "left", ticks: {precision: 0}}}
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
