/*
 * Runs in the preview page (headless Chromium), after chart.js: lays out one dashboard from the
 * layout test/soc/dashboards.ts computed with the SPL engine. Plain browser JavaScript so nothing
 * between our TypeScript and the page (a transpiler's helpers) can break it.
 */
/* global Chart, document, window */
(function () {
  'use strict';
  // Splunk's categorical palette order is not reused; these are distinguishable and print well.
  var PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
    '#393b79', '#ad494a', '#637939', '#843c39'];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function num(v) {
    if (v === undefined || v === null || v === '') return 0;
    var n = Number(Array.isArray(v) ? v[0] : v);
    return isFinite(n) ? n : 0;
  }

  function cell(v) {
    return Array.isArray(v) ? v.join('\n') : v === undefined ? '' : String(v);
  }

  function renderTable(box, item, maxRows) {
    if (!item.rows.length) { box.appendChild(el('div', 'empty', 'No results found.')); return; }
    var t = el('table');
    var head = el('tr');
    item.columns.forEach(function (c) { head.appendChild(el('th', '', c)); });
    t.appendChild(head);
    item.rows.slice(0, maxRows).forEach(function (r) {
      var tr = el('tr');
      r.forEach(function (v) {
        var s = cell(v);
        // Short values (IPv4 addresses, counts, short names) stay on one line; longer ones wrap
        // anywhere, so a wide table never hides a column behind the panel edge.
        tr.appendChild(el('td', s.length <= 15 && !/\n/.test(s) ? 'nw' : '', s));
      });
      t.appendChild(tr);
    });
    box.appendChild(t);
    if (item.rows.length > maxRows) box.appendChild(el('div', 'more', 'first ' + maxRows + ' of ' + item.rows.length + ' rows'));
  }

  function renderSingle(box, item) {
    var value = '0';
    var label = '';
    if (item.rows.length) {
      var useLast = item.columns[0] === '_time';
      var row = item.rows[useLast ? item.rows.length - 1 : 0];
      var i = item.columns.findIndex(function (c) { return c !== '_time'; });
      if (i >= 0) { value = cell(row[i]); label = item.columns[i]; }
    }
    var big = el('div', 'single-value', value);
    big.setAttribute('data-title', item.title || box.getAttribute('data-panel') || '');
    if (item.color) big.style.color = item.color;
    box.appendChild(big);
    box.appendChild(el('div', 'single-label', label));
  }

  function renderChart(box, item) {
    if (!item.rows.length) { box.appendChild(el('div', 'empty', 'No results found.')); return; }
    var kind = item.chartType || 'column';
    var canvasBox = el('div', 'chart-box');
    var canvas = el('canvas');
    canvasBox.appendChild(canvas);
    box.appendChild(canvasBox);
    var labels = item.rows.map(function (r) { return cell(r[0]); });
    var series = item.columns.slice(1);
    var config;
    if (kind === 'pie') {
      config = {
        type: 'pie',
        data: { labels: labels, datasets: [{ data: item.rows.map(function (r) { return num(r[1]); }), backgroundColor: labels.map(function (_, i) { return PALETTE[i % PALETTE.length]; }) }] },
        options: { plugins: { legend: { position: 'right' } } },
      };
    } else {
      var stacked = item.stackMode === 'stacked' || item.stackMode === 'stacked100';
      config = {
        type: kind === 'line' || kind === 'area' ? 'line' : 'bar',
        data: {
          labels: labels,
          datasets: series.map(function (s, i) {
            return {
              label: s, data: item.rows.map(function (r) { return num(r[i + 1]); }),
              backgroundColor: PALETTE[i % PALETTE.length], borderColor: PALETTE[i % PALETTE.length], fill: kind === 'area', pointRadius: 0,
            };
          }),
        },
        options: {
          indexAxis: kind === 'bar' ? 'y' : 'x',
          scales: { x: { stacked: stacked, ticks: { maxRotation: 45, autoSkip: true, maxTicksLimit: 12 } }, y: { stacked: stacked, beginAtZero: true } },
          plugins: { legend: { display: series.length > 1, position: 'bottom' } },
        },
      };
    }
    config.options.animation = false;
    config.options.responsive = true;
    config.options.maintainAspectRatio = false;
    // Throws on a bad config: the page error fails the preview.
    new Chart(canvas, config);
  }

  function renderEvents(box, item) {
    if (!item.rows.length) { box.appendChild(el('div', 'empty', 'No results found.')); return; }
    var raw = item.columns.indexOf('_raw');
    var list = el('ol', 'events');
    item.rows.slice(0, 5).forEach(function (r) { list.appendChild(el('li', '', cell(raw >= 0 ? r[raw] : r.join(' ')))); });
    box.appendChild(list);
  }

  window.renderDashboard = function (layout) {
    var root = document.getElementById('dashboard');
    root.appendChild(el('h1', '', layout.label));
    if (layout.description) root.appendChild(el('p', 'description', layout.description));
    if (layout.inputs.length) {
      var bar = el('div', 'inputs');
      layout.inputs.forEach(function (i) { bar.appendChild(el('span', 'input', i)); });
      root.appendChild(bar);
    }
    layout.rows.forEach(function (row) {
      var r = el('div', 'row');
      row.panels.forEach(function (panel) {
        var p = el('section', 'panel');
        p.style.flex = '1 1 0';
        if (panel.title) p.appendChild(el('h2', '', panel.title));
        panel.items.forEach(function (item) {
          var box = el('div', 'viz viz-' + item.viz);
          box.setAttribute('data-panel', panel.title);
          if (item.title && item.title !== panel.title) box.appendChild(el('h3', '', item.title));
          p.appendChild(box);
          if (item.error) {
            box.appendChild(el('div', 'error', item.error));
          } else if (item.waitsFor.length) {
            box.appendChild(el('div', 'empty', 'Waits for a click: sets ' + item.waitsFor.join(', ')));
          } else if (item.viz === 'chart') renderChart(box, item);
          else if (item.viz === 'single') renderSingle(box, item);
          else if (item.viz === 'event') renderEvents(box, item);
          else if (item.viz === 'html') box.appendChild(el('div', 'html', item.text));
          else renderTable(box, item, 12);
          if (item.drilldown.length) box.appendChild(el('div', 'drilldown', 'drilldown: ' + item.drilldown.join(', ')));
          box.setAttribute('data-rendered', '1');
        });
        r.appendChild(p);
      });
      root.appendChild(r);
    });
    window.__rendered = true;
  };
})();
