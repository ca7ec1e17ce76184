// «Отчёт»: the monthly chart of both figures, drawn from the table under it
// (the table is the data; without JavaScript it is all there is).
(function () {
  'use strict';
  if (typeof Chart === 'undefined') return;
  var rub = new Intl.NumberFormat('ru-RU', { style: 'currency', currency: 'RUB', maximumFractionDigits: 2 });
  var short = new Intl.NumberFormat('ru-RU', { notation: 'compact', maximumFractionDigits: 1 });
  function draw() {
    var canvas = document.getElementById('r-chart');
    var table = document.getElementById('r-months');
    if (window.KReportChart) {
      if (window.KReportChart.canvas === canvas) return;
      window.KReportChart.destroy();
      window.KReportChart = undefined;
    }
    if (!canvas || !table) return;
    var labels = [], amount = [], confirmed = [];
    table.querySelectorAll('tbody tr[data-month]').forEach(function (tr) {
      labels.push(tr.cells[0].textContent);
      amount.push(Number(tr.dataset.amount) / 100);
      confirmed.push(Number(tr.dataset.confirmed) / 100);
    });
    window.KReportChart = new Chart(canvas, {
      type: 'bar',
      data: {
        labels: labels,
        datasets: [
          { label: 'Общая сумма отработки', data: amount, backgroundColor: 'rgba(13, 110, 253, 0.7)' },
          { label: 'Подтверждённая прибыль', data: confirmed, backgroundColor: 'rgba(25, 135, 84, 0.8)' }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return short.format(v) + ' ₽'; } } } },
        plugins: {
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ': ' + rub.format(c.parsed.y); } } }
        }
      }
    });
  }
  draw();
  // A live refresh (a transaction, a bank's answer, a stage) brings new figures:
  // the chart is drawn again from the new table, and the stages whose people the
  // reader had opened stay open.
  var opened = [];
  document.addEventListener('htmx:beforeSwap', function (e) {
    if (!e.detail.target || e.detail.target.id !== 'report-region') return;
    opened = Array.prototype.map.call(e.detail.target.querySelectorAll('details[data-stage][open]'),
      function (d) { return d.dataset.stage; });
  });
  document.addEventListener('htmx:afterSettle', function () {
    opened.forEach(function (stage) {
      var d = document.querySelector('#report-region details[data-stage="' + stage + '"]');
      if (d) d.open = true;
    });
    opened = [];
    draw();
  });
})();
