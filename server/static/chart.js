// frontierwatch charts: draws every .chart[data-series] with uPlot. The
// data comes in a data attribute (the page has no inline script), the
// figures as points, the fitted trend as a line, and the source of the
// point under the cursor in a tooltip.
(function () {
  "use strict";
  function css(name, fallback) {
    var v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }

  // merge puts the figures and the trend curve on one sorted x axis, as
  // uPlot wants; each series has null where it has no value.
  function merge(d) {
    var rows = [];
    for (var i = 0; i < d.x.length; i++) rows.push([d.x[i], d.y[i], null, i]);
    if (d.trend) {
      var n = d.log ? 2 : 48;
      for (var k = 0; k <= n; k++) {
        var x = d.trend.x0 + (d.trend.x1 - d.trend.x0) * k / n;
        rows.push([x, null, d.trend.y0 * Math.exp(d.trend.slope * (x - d.trend.x0)), -1]);
      }
    }
    rows.sort(function (a, b) { return a[0] - b[0] || (a[3] - b[3]); });
    var out = [[], [], []], idx = [];
    rows.forEach(function (r) { out[0].push(r[0]); out[1].push(r[1]); out[2].push(r[2]); idx.push(r[3]); });
    return { data: out, idx: idx };
  }

  function tooltip(el, d, m) {
    var tip = document.createElement("div");
    tip.className = "chart-tip";
    el.appendChild(tip);
    return {
      hooks: {
        setCursor: [function (u) {
          var cx = u.cursor.left, cy = u.cursor.top;
          var best = -1, bestD = 24 * 24;
          if (cx != null && cx >= 0) {
            for (var i = 0; i < m.idx.length; i++) {
              if (m.idx[i] < 0) continue;
              var dx = u.valToPos(m.data[0][i], "x") - cx, dy = u.valToPos(m.data[1][i], "y") - cy;
              var dd = dx * dx + dy * dy;
              if (dd < bestD) { bestD = dd; best = i; }
            }
          }
          if (best < 0) { tip.style.display = "none"; return; }
          tip.textContent = d.labels[m.idx[best]];
          tip.style.display = "block";
          var left = u.valToPos(m.data[0][best], "x") + u.over.offsetLeft + 12;
          var top = u.valToPos(m.data[1][best], "y") + u.over.offsetTop - 12;
          var maxLeft = el.clientWidth - tip.offsetWidth - 4;
          tip.style.left = Math.max(0, Math.min(left, maxLeft)) + "px";
          tip.style.top = Math.max(0, top) + "px";
        }]
      }
    };
  }

  function draw(el) {
    var d;
    try { d = JSON.parse(el.getAttribute("data-series")); } catch (e) { return; }
    if (!d || !d.x || d.x.length === 0 || typeof uPlot === "undefined") return;
    var m = merge(d);
    var fg = css("--muted", "#666"), grid = css("--grid", "#eee");
    var axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    var width = Math.max(260, el.clientWidth);
    var opts = {
      width: width,
      height: Math.round(Math.min(360, Math.max(220, width * 0.55))),
      legend: { show: false },
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      scales: {
        // Pad the time axis so that the first and last points are not cut
        // in half by the edges (and can be hovered).
        x: { time: true, range: function (u, min, max) {
          var pad = Math.max((max - min) * 0.03, 86400);
          return [min - pad, max + pad];
        } },
        y: d.log ? { distr: 3, log: 10 } : {}
      },
      axes: [Object.assign({}, axis), Object.assign({ size: 56, label: d.unit, labelSize: 18 }, axis)],
      series: [
        {},
        { label: d.metric, stroke: css("--point", "#0b63ce"), width: 0, paths: function () { return null; },
          points: { show: true, size: 9, width: 1.5, fill: css("--point", "#0b63ce") } },
        { label: "trend", stroke: css("--trend", "#d9480f"), width: 2, dash: [6, 4], spanGaps: true,
          points: { show: false } }
      ],
      plugins: [tooltip(el, d, m)]
    };
    var u = new uPlot(opts, m.data, el);
    el.fwChart = u; // for tests and the console
    el.setAttribute("data-points-drawn", String(d.x.length));
    el.setAttribute("data-trend-drawn", d.trend ? "true" : "false");
    var last = width;
    window.addEventListener("resize", function () {
      var w = Math.max(260, el.clientWidth);
      if (Math.abs(w - last) < 4) return;
      last = w;
      u.setSize({ width: w, height: Math.round(Math.min(360, Math.max(220, w * 0.55))) });
    });
  }

  function start() {
    var els = document.querySelectorAll(".chart[data-series]");
    for (var i = 0; i < els.length; i++) draw(els[i]);
    document.documentElement.setAttribute("data-charts-ready", String(els.length));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}());
