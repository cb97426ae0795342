/* The workspace's small behaviours, loaded on every admin page (after unfold's Chart.js):
   - charts: <canvas data-ws-chart="line|bar" data-ws-source="<json_script id>"> drawn with Chart.js;
   - pickers: an appointment/note <select> whose options carry data-patient shows only the chosen patient's;
   - countdowns: <span data-ws-countdown="<ISO start>"> reads "Starts in 3 d 02:05:09", then "Session started". */
(function () {
  "use strict";

  var PALETTE = ["#0f766e", "#1d4ed8", "#b45309", "#7c3aed", "#be123c", "#15803d"];

  function drawCharts() {
    if (typeof window.Chart === "undefined") { return; }
    document.querySelectorAll("canvas[data-ws-chart]").forEach(function (canvas) {
      if (canvas.dataset.wsDrawn) { return; }
      var source = document.getElementById(canvas.dataset.wsSource);
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var type = canvas.dataset.wsChart;
      var datasets = data.series.map(function (series, i) {
        var colour = series.color || PALETTE[i % PALETTE.length];
        return {
          label: series.label, data: series.data, borderColor: colour, backgroundColor: colour,
          borderDash: series.dashed ? [6, 4] : undefined, pointRadius: series.dashed ? 0 : 3,
          spanGaps: true, tension: 0.25, fill: false
        };
      });
      var scales = {};
      var valueAxis = data.horizontal ? "x" : "y";
      if (data.min !== undefined || data.max !== undefined) {
        scales[valueAxis] = { min: data.min, max: data.max };
        if (data.step) { scales[valueAxis].ticks = { stepSize: data.step }; }
      }
      new window.Chart(canvas, {
        type: type,
        data: { labels: data.labels, datasets: datasets },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false, scales: scales,
          indexAxis: data.horizontal ? "y" : "x",
          plugins: { legend: { display: datasets.length > 1, position: "bottom" } }
        }
      });
      canvas.dataset.wsDrawn = "1";
    });
  }

  function scopePickers() {
    var patient = document.getElementById("id_patient");
    if (!patient || patient.tagName !== "SELECT") { return; }
    var pickers = Array.prototype.filter.call(document.querySelectorAll("select"), function (select) {
      return select !== patient && select.querySelector("option[data-patient]");
    });
    function apply() {
      pickers.forEach(function (select) {
        select.querySelectorAll("option[data-patient]").forEach(function (option) {
          var hidden = patient.value !== "" && option.dataset.patient !== patient.value;
          option.hidden = hidden;
          option.disabled = hidden;
          if (hidden && option.selected) { select.value = ""; }
        });
      });
    }
    patient.addEventListener("change", apply);
    apply();
  }

  function countdownText(startsAt, now) {
    var seconds = Math.round((startsAt - now) / 1000);
    if (seconds <= 0) { return "Session started"; }
    var days = Math.floor(seconds / 86400);
    var two = function (n) { return String(n).padStart(2, "0"); };
    var clock = two(Math.floor((seconds % 86400) / 3600)) + ":" + two(Math.floor((seconds % 3600) / 60)) + ":" +
      two(seconds % 60);
    return "Starts in " + (days > 0 ? days + " d " : "") + clock;
  }

  function tickCountdowns() {
    var now = Date.now();
    document.querySelectorAll("[data-ws-countdown]").forEach(function (element) {
      var text = countdownText(Date.parse(element.dataset.wsCountdown), now);
      if (element.textContent !== text) { element.textContent = text; }
    });
  }

  window.sanctuaryCountdownText = countdownText;

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    scopePickers();
    if (document.querySelector("[data-ws-countdown]")) {
      tickCountdowns();
      window.setInterval(tickCountdowns, 1000);
    }
  });
})();
