// kinesis-insights HTML page: draws each panel's charts (SVG) and table from the JSON the
// command embedded in <script type="application/json" class="panel-data">. Cells come as the
// exact text CSV writes; every piece of data reaches the page through text nodes or an
// attribute, never as markup, and shows as the terminal's tables show it (see `show`). No
// library, no network.
"use strict";
(function () {
  var errors = document.getElementById("errors");
  function fail(msg) {
    errors.textContent += (ESCS ? plain(String(msg)) : msg) + "\n";
    document.documentElement.setAttribute("data-errors", "1");
  }
  window.addEventListener("error", function (e) { fail("error: " + e.message); });
  document.addEventListener("securitypolicyviolation", function (e) {
    fail("blocked by the page's Content-Security-Policy: " + e.violatedDirective + " " + e.blockedURI);
  });

  var SVG = "http://www.w3.org/2000/svg";
  var PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#8cd17d", "#86bcb6", "#d37295", "#a0cbe8", "#ffbe7d", "#bab0ac"];
  function color(i) { return PALETTE[i % PALETTE.length]; }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) if (attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function sv(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) if (attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // ---- data as text: what the command's text::is_unsafe names (control characters,
  // bidirectional overrides, characters that show as nothing: the ranges in
  // <script id="unsafe">, text::UNSAFE_RANGES, the list that function is made from) and the
  // backslash are shown as visible escapes, exactly as text::sanitize writes them for the
  // terminal's tables (\x1b, \n, \u{202e}, \u{200b}, \\), so that al\u{200b}ice does not
  // pass for alice and no override reorders a cell. In element content each escape is a
  // <span class="esc"> (<tspan> in SVG), styled unlike text a log could hold; attributes,
  // <title>s and descriptions get the same escapes as plain text. Sorting and filtering read
  // the exact data. ----
  var ESCS = null, ANY_ESC = null;
  (function () {
    var cls = "\\\\";
    JSON.parse(document.getElementById("unsafe").textContent).forEach(function (r) {
      cls += "\\u{" + r[0].toString(16) + "}-\\u{" + r[1].toString(16) + "}";
    });
    ANY_ESC = new RegExp("[" + cls + "]", "u");
    ESCS = new RegExp("[" + cls + "]", "gu");
  })();
  function escOf(ch) {
    var cp = ch.codePointAt(0);
    if (ch === "\\") return "\\\\";
    if (ch === "\n") return "\\n";
    if (ch === "\r") return "\\r";
    if (ch === "\t") return "\\t";
    if (cp < 0x80) return "\\x" + (cp < 16 ? "0" : "") + cp.toString(16);
    return "\\u{" + cp.toString(16) + "}";
  }
  // `s` with its escapes, as plain text (for attributes, <title>s, descriptions).
  function plain(s) { return ANY_ESC.test(s) ? s.replace(ESCS, escOf) : s; }
  // `s` as [text, isEscape] pieces.
  function pieces(s) {
    var out = [], last = 0, m;
    ESCS.lastIndex = 0;
    while ((m = ESCS.exec(s))) {
      if (m.index > last) out.push([s.slice(last, m.index), false]);
      out.push([escOf(m[0]), true]);
      last = m.index + m[0].length;
    }
    if (last < s.length) out.push([s.slice(last), false]);
    return out;
  }
  // Appends `s` to `node` with its escapes marked; at most `max` characters (an escape is not
  // cut), the last one "…" when `s` was cut. Returns `node`.
  function show(node, s, max) {
    var ps = ANY_ESC.test(s) ? pieces(s) : [[s, false]];
    var len = function (t) { return Array.from(t).length; };
    if (max !== undefined && ps.reduce(function (n, q) { return n + len(q[0]); }, 0) > max) {
      var room = max - 1, cut = [];
      for (var i = 0; i < ps.length && room > 0; i++) {
        var n = len(ps[i][0]);
        if (n <= room) { cut.push(ps[i]); room -= n; }
        else { if (!ps[i][1]) cut.push([Array.from(ps[i][0]).slice(0, room).join(""), false]); break; }
      }
      cut.push(["\u2026", false]);
      ps = cut;
    }
    var svg = node.namespaceURI === SVG;
    ps.forEach(function (q) {
      if (!q[1]) node.appendChild(document.createTextNode(q[0]));
      else node.appendChild(svg ? sv("tspan", { class: "esc" }, q[0]) : el("span", { class: "esc" }, q[0]));
    });
    return node;
  }

  function num(s) { return s === "" ? NaN : Number(s); }
  function rowsText(n) { return n + (n === 1 ? " row" : " rows"); }
  function numeric(kind) { return kind === "count" || kind === "percent" || kind === "float"; }

  // Numbers on axes: thousands grouped, at most 3 decimals (the tables carry exact values).
  function short(v) {
    if (!isFinite(v)) return String(v);
    var a = Math.abs(v);
    if (a >= 1e15 || (a !== 0 && a < 1e-3)) return v.toExponential(2);
    if (a >= 1e6) return v.toLocaleString("en-US", { notation: "compact", maximumFractionDigits: 2 });
    var d = a >= 100 ? 0 : a >= 1 ? 2 : 3;
    return v.toLocaleString("en-US", { maximumFractionDigits: d });
  }
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function utc(t, withDate, withTime) {
    var d = new Date(t);
    var date = d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
    var time = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
    return withDate && withTime ? date + " " + time : withDate ? date : time;
  }
  function iso(t) { return new Date(t).toISOString().replace(".000Z", "Z"); }

  // ---- axes ----
  function niceTicks(lo, hi, n) {
    if (!(hi > lo)) { hi = lo + 1; }
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / n)));
    var err = (hi - lo) / n / step;
    step *= err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1;
    var ticks = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
    return ticks;
  }
  var MIN = 60000, HOUR = 3600000, DAY = 86400000;
  var STEPS = [MIN, 5 * MIN, 15 * MIN, 30 * MIN, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY,
    7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 182 * DAY, 365 * DAY, 3650 * DAY, 36500 * DAY];
  function timeTicks(lo, hi, n) {
    var step = STEPS[STEPS.length - 1];
    for (var i = 0; i < STEPS.length; i++) if ((hi - lo) / STEPS[i] <= n) { step = STEPS[i]; break; }
    var ticks = [];
    if (step >= 30 * DAY) {
      // Calendar months or years, at UTC midnight of the first.
      var months = Math.max(1, Math.round(step / (30.4 * DAY)));
      var d = new Date(lo), y = d.getUTCFullYear(), m = d.getUTCMonth();
      m = Math.ceil(m / months) * months;
      for (var t = Date.UTC(y, m, 1); t <= hi; m += months, t = Date.UTC(y, m, 1)) if (t >= lo) ticks.push(t);
    } else {
      for (var t2 = Math.ceil(lo / step) * step; t2 <= hi; t2 += step) ticks.push(t2);
    }
    return { ticks: ticks, step: step };
  }

  // ---- series from long-form rows ----
  function seriesOf(p) {
    var v = p.view, byKey = new Map(), order = [];
    for (var i = 0; i < p.rows.length; i++) {
      var r = p.rows[i];
      var key = v.keys.map(function (k) { return r[k]; }).filter(function (s) { return s !== ""; }).join(" / ") || "(all)";
      var s = byKey.get(key);
      if (!s) { s = { name: key, keys: v.keys.map(function (k) { return r[k]; }), pts: [], total: 0 }; byKey.set(key, s); order.push(s); }
      var y = num(r[v.value]);
      s.pts.push([Date.parse(r[v.time]), y, r[v.value]]);
      if (isFinite(y)) s.total += y;
    }
    order.forEach(function (s) { s.pts.sort(function (a, b) { return a[0] - b[0]; }); });
    return order;
  }

  // ---- time chart: stacked areas (counts) or lines with gaps (measurements) ----
  function timeChart(fig, p) {
    var v = p.view, series = seriesOf(p), stacked = v.summary === "total";
    series.forEach(function (s, i) { s.color = color(i); s.on = true; });
    var W = width(fig), H = Math.max(220, Math.min(320, Math.round(W * 0.42))), L = 60, R = 14, T = 10, B = 34;
    var wrap = el("div", { class: "chart" });
    var svg = sv("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-labelledby": p.hid + " " + p.hid + "-alt" });
    var desc = sv("desc", { id: p.hid + "-alt" });
    svg.appendChild(desc);
    var gAxis = sv("g", { class: "axis" }), gPlot = sv("g"), gHover = sv("g");
    svg.appendChild(gAxis); svg.appendChild(gPlot); svg.appendChild(gHover);
    var tip = el("div", { class: "tip", hidden: "" });
    wrap.appendChild(svg); wrap.appendChild(tip);
    var legend = el("ul", { class: "legend", "aria-label": "Series (press to show or hide)" });
    fig.appendChild(legend); fig.appendChild(wrap);
    var times = [], seen = new Set();
    series.forEach(function (s) { s.pts.forEach(function (pt) { if (!seen.has(pt[0])) { seen.add(pt[0]); times.push(pt[0]); } }); });
    times.sort(function (a, b) { return a - b; });
    var x0 = times[0], x1 = times[times.length - 1] + v.bucket;
    var unit = v.unit || "";
    desc.textContent = (stacked ? "Stacked areas of " : "Lines of ") + p.columns[v.value] +
      (unit ? " (" + unit + ")" : "") + " per " + humanStep(v.bucket) + " for " + series.length +
      " series from " + iso(x0) + " to " + iso(x1) + "; the table below has every value.";

    function draw() {
      gAxis.textContent = ""; gPlot.textContent = "";
      var on = series.filter(function (s) { return s.on; });
      var stack = new Map();
      var ymax = 0, ymin = 0;
      if (stacked) {
        times.forEach(function (t) { stack.set(t, 0); });
        on.forEach(function (s) {
          s.stackPts = s.pts.map(function (pt) {
            var base = stack.get(pt[0]) || 0, top = base + (isFinite(pt[1]) ? pt[1] : 0);
            stack.set(pt[0], top);
            return [pt[0], base, top];
          });
        });
        stack.forEach(function (y) { if (y > ymax) ymax = y; });
      } else {
        on.forEach(function (s) { s.pts.forEach(function (pt) { if (isFinite(pt[1])) { ymax = Math.max(ymax, pt[1]); ymin = Math.min(ymin, pt[1]); } }); });
      }
      if (ymax === ymin) ymax = ymin + 1;
      var yt = niceTicks(ymin, ymax, 5);
      var ylo = Math.min(ymin, yt[0]), yhi = Math.max(ymax, yt[yt.length - 1]);
      // Room for the widest tick label between the axis title (x 6 to 18) and the axis.
      L = Math.max(60, Math.ceil(26 + Math.max.apply(null, yt.map(function (y) { return textWidth(short(y)); }))));
      var X = function (t) { return L + (t - x0) / (x1 - x0) * (W - L - R); };
      var Y = function (y) { return T + (yhi - y) / (yhi - ylo) * (H - T - B); };
      draw.X = X; draw.Y = Y;
      yt.forEach(function (y) {
        gAxis.appendChild(sv("line", { class: "grid", x1: L, x2: W - R, y1: Y(y), y2: Y(y) }));
        gAxis.appendChild(sv("text", { class: "tick", x: L - 6, y: Y(y) + 4, "text-anchor": "end" }, short(y)));
      });
      gAxis.appendChild(sv("text", { class: "tick", x: 12, y: T + (H - T - B) / 2, "text-anchor": "middle", transform: "rotate(-90 12 " + (T + (H - T - B) / 2) + ")" }, unit || p.columns[v.value]));
      var tt = timeTicks(x0, x1, Math.max(2, Math.floor((W - L - R) / 110))), prevDay = null;
      tt.ticks.forEach(function (t) {
        var day = utc(t, true, false), withTime = tt.step < DAY;
        var label = withTime ? (day !== prevDay ? utc(t, true, true) : utc(t, false, true)) : day;
        prevDay = day;
        gAxis.appendChild(sv("line", { class: "grid", x1: X(t), x2: X(t), y1: T, y2: H - B }));
        // Labels near an edge are anchored to stay inside the chart.
        var x = X(t), anchor = x > W - R - 40 ? "end" : x < L + 40 ? "start" : "middle";
        gAxis.appendChild(sv("text", { class: "tick", x: x, y: H - B + 14, "text-anchor": anchor }, label));
      });
      gAxis.appendChild(sv("text", { class: "tick", x: W - R, y: H - 4, "text-anchor": "end" }, "UTC"));
      gAxis.appendChild(sv("path", { d: "M" + L + "," + T + "V" + (H - B) + "H" + (W - R), fill: "none" }));
      var half = v.bucket / 2;
      // Each value at its bucket's middle; with one bucket in all, across the whole bucket (a
      // band, a level line), not a zero-width sliver at its middle.
      var xs = times.length === 1 ?
        function (t) { return [X(t), X(t + v.bucket)]; } :
        function (t) { return [X(t + half)]; };
      var at = function (t, y) { return xs(t).map(function (x) { return [x.toFixed(1), Y(y).toFixed(1)]; }); };
      var flat = function (a) { return [].concat.apply([], a); };
      on.forEach(function (s) {
        var d = "", g = sv("g");
        var title = sv("title", {}, plain(s.name));
        g.appendChild(title);
        if (stacked) {
          var top = flat(s.stackPts.map(function (q) { return at(q[0], q[2]); }));
          var bot = flat(s.stackPts.map(function (q) { return at(q[0], q[1]); })).reverse();
          if (top.length) d = "M" + top.concat(bot).map(function (q) { return q.join(","); }).join("L") + "Z";
          g.appendChild(sv("path", { d: d, fill: s.color, "fill-opacity": "0.8", stroke: s.color, "stroke-width": "0.5", class: "series" }));
        } else {
          var prev = null, run = [];
          var flush = function () {
            if (run.length === 1) g.appendChild(sv("circle", { cx: run[0][0], cy: run[0][1], r: 2, fill: s.color }));
            else if (run.length > 1) d += "M" + run.map(function (q) { return q[0] + "," + q[1]; }).join("L");
            run = [];
          };
          s.pts.forEach(function (q) {
            if (!isFinite(q[1])) { flush(); prev = null; return; }
            // A bucket without data is a gap: no line drawn across it.
            if (prev !== null && q[0] - prev > v.bucket) flush();
            run.push.apply(run, at(q[0], q[1]));
            prev = q[0];
          });
          flush();
          if (d) g.appendChild(sv("path", { d: d, fill: "none", stroke: s.color, "stroke-width": "1.6", class: "series" }));
        }
        gPlot.appendChild(g);
      });
    }
    series.forEach(function (s) {
      var li = el("li"), b = el("button", { type: "button", "aria-pressed": "true" });
      var sw = el("span", { class: "sw" }); sw.style.background = s.color;
      b.appendChild(sw); show(b, s.name);
      b.addEventListener("click", function () { s.on = !s.on; b.setAttribute("aria-pressed", String(s.on)); draw(); });
      li.appendChild(b); legend.appendChild(li);
    });
    draw();
    // Hover: the bucket under the pointer, each shown series' value and (counts) the total.
    var index = new Map();
    series.forEach(function (s, i) { s.pts.forEach(function (pt) { var m = index.get(pt[0]); if (!m) index.set(pt[0], m = []); m.push([i, pt[2]]); }); });
    function hover(ev) {
      var box = svg.getBoundingClientRect(), px = (ev.clientX - box.left) / box.width * W;
      if (px < L || px > W - R) { leave(); return; }
      var t = x0 + (px - L) / (W - L - R) * (x1 - x0);
      t = times[Math.max(0, bisect(times, t) - 1)];
      gHover.textContent = "";
      var cx = draw.X(t + v.bucket / 2);
      gHover.appendChild(sv("line", { class: "cross", x1: cx, x2: cx, y1: T, y2: H - B }));
      tip.textContent = "";
      tip.appendChild(el("b", {}, iso(t) + " (" + humanStep(v.bucket) + ")"));
      var tb = el("table"), total = 0, shown = 0, cells = index.get(t) || [];
      cells.forEach(function (c) {
        var s = series[c[0]];
        if (!s.on || shown >= 20) return;
        shown++;
        var tr = el("tr"), td = el("td"), sw = el("span", { class: "sw" });
        sw.style.background = s.color; td.appendChild(sw); tr.appendChild(td);
        tr.appendChild(show(el("td"), s.name)); tr.appendChild(el("td", { class: "n" }, c[1] === "" ? "–" : c[1]));
        tb.appendChild(tr);
        total += isFinite(num(c[1])) ? num(c[1]) : 0;
      });
      if (stacked) { var tr2 = el("tr"); tr2.appendChild(el("td")); tr2.appendChild(el("td", {}, "total")); tr2.appendChild(el("td", { class: "n" }, String(total))); tb.appendChild(tr2); }
      tip.appendChild(tb);
      tip.hidden = false;
      var left = (cx / W) * box.width;
      tip.style.left = Math.max(0, Math.min(left + 12, box.width - tip.offsetWidth)) + "px";
      tip.style.top = "8px";
    }
    function leave() { tip.hidden = true; gHover.textContent = ""; }
    svg.addEventListener("pointermove", hover);
    svg.addEventListener("pointerleave", leave);
  }
  function bisect(a, x) { var lo = 0, hi = a.length; while (lo < hi) { var m = (lo + hi) >> 1; if (a[m] <= x) lo = m + 1; else hi = m; } return lo; }
  function humanStep(ms) {
    var u = [[365 * DAY, "y"], [DAY, "d"], [HOUR, "h"], [MIN, "m"], [1000, "s"]];
    for (var i = 0; i < u.length; i++) if (ms % u[i][0] === 0) return ms / u[i][0] + u[i][1];
    return ms + "ms";
  }

  // ---- donut: shares of a whole, the largest slices and the rest as one ----
  function donut(fig, p) {
    var label = 0, value = 1, pct = 2, MAX = 10;
    var rows = p.rows.slice().sort(function (a, b) { return num(b[value]) - num(a[value]); });
    var total = 0; rows.forEach(function (r) { total += num(r[value]); });
    var slices = rows.slice(0, MAX).map(function (r) { return { name: r[label], n: num(r[value]), text: r[value], pct: r[pct] }; });
    if (rows.length > MAX) {
      var n = 0;
      rows.slice(MAX).forEach(function (r) { n += num(r[value]); });
      // Hundredths of a percent rounded half up, as the panel's own percents are.
      var h = total > 0 ? Math.floor((n * 20000 + total) / (2 * total)) : 0;
      slices.push({ name: "other (" + (rows.length - MAX) + ")", n: n, text: String(n), pct: (h / 100).toFixed(2) });
    }
    var box = el("div", { class: "donut" });
    var svg = sv("svg", { viewBox: "-110 -110 220 220", role: "img", "aria-labelledby": p.hid + " " + p.hid + "-alt" });
    svg.appendChild(sv("desc", { id: p.hid + "-alt" }, "Donut of " + p.columns[value] + " by " + p.columns[label] + ": " +
      slices.map(function (s) { return plain(s.name) + " " + s.text + " (" + s.pct + "%)"; }).join(", ")));
    var a0 = -Math.PI / 2;
    slices.forEach(function (s, i) {
      var frac = total > 0 ? s.n / total : 0, a1 = a0 + frac * 2 * Math.PI, path;
      if (frac >= 0.9999) path = "M0,-100A100,100 0 1 1 0,100A100,100 0 1 1 0,-100ZM0,-58A58,58 0 1 0 0,58A58,58 0 1 0 0,-58Z";
      else {
        var big = a1 - a0 > Math.PI ? 1 : 0;
        var p0 = [Math.cos(a0), Math.sin(a0)], p1 = [Math.cos(a1), Math.sin(a1)];
        path = "M" + f(100 * p0[0]) + "," + f(100 * p0[1]) + "A100,100 0 " + big + " 1 " + f(100 * p1[0]) + "," + f(100 * p1[1]) +
          "L" + f(58 * p1[0]) + "," + f(58 * p1[1]) + "A58,58 0 " + big + " 0 " + f(58 * p0[0]) + "," + f(58 * p0[1]) + "Z";
      }
      var e = sv("path", { d: path, fill: color(i), stroke: "var(--panel)", "stroke-width": "1", class: "slice" });
      e.appendChild(sv("title", {}, plain(s.name) + ": " + s.text + " (" + s.pct + "%)"));
      svg.appendChild(e);
      a0 = a1;
    });
    svg.appendChild(sv("text", { "text-anchor": "middle", y: 6, "font-size": "18" }, String(total)));
    var t = el("table", { "aria-label": "Legend" }), tb = el("tbody");
    slices.forEach(function (s, i) {
      var tr = el("tr"), td = el("td"), sw = el("span", { class: "sw" });
      sw.style.background = color(i); td.appendChild(sw); tr.appendChild(td);
      tr.appendChild(show(el("td"), s.name)); tr.appendChild(el("td", { class: "n" }, s.text)); tr.appendChild(el("td", { class: "n" }, s.pct + "%"));
      tb.appendChild(tr);
    });
    t.appendChild(tb);
    box.appendChild(svg); box.appendChild(t); fig.appendChild(box);
  }
  function f(v) { return v.toFixed(2); }
  // The figure's width in CSS pixels (so SVG text is drawn at its font size), 320 at least.
  function width(fig) { return fig.width || Math.max(320, Math.round(fig.getBoundingClientRect().width || 900)); }
  // The width in pixels of `s` drawn in the charts' font (11px, page.css), measured on a canvas
  // (estimated at 6.6 pixels a character where there is none).
  var measure = null;
  function textWidth(s) {
    if (measure === null) {
      var c = document.createElement("canvas");
      measure = (c.getContext && c.getContext("2d")) || false;
      if (measure) measure.font = "11px system-ui, sans-serif";
    }
    return measure ? measure.measureText(s).width : Array.from(s).length * 6.6;
  }

  // ---- horizontal bars ----
  function bars(fig, p) {
    var label = 0, value = 1, rows = p.rows.slice(0, 25);
    var max = 0; rows.forEach(function (r) { max = Math.max(max, num(r[value])); });
    var W = width(fig), row = 22, L = Math.min(220, Math.round(W * 0.35)), R = 60, H = rows.length * row + 8;
    var chars = Math.max(8, Math.floor(L / 7));
    var svg = sv("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-labelledby": p.hid + " " + p.hid + "-alt" });
    svg.appendChild(sv("desc", { id: p.hid + "-alt" }, "Bars of " + p.columns[value] + " by " + p.columns[label] + ": " +
      rows.map(function (r) { return plain(r[label]) + " " + r[value]; }).join(", ")));
    rows.forEach(function (r, i) {
      var y = 4 + i * row, w = max > 0 ? num(r[value]) / max * (W - L - R) : 0;
      var g = sv("g", { class: "bar" });
      g.appendChild(sv("title", {}, plain(r[label]) + ": " + r[value]));
      g.appendChild(show(sv("text", { x: L - 6, y: y + 15, "text-anchor": "end" }), r[label], chars));
      g.appendChild(sv("rect", { x: L, y: y + 3, width: Math.max(w, 1).toFixed(1), height: row - 6, fill: color(0), rx: 2 }));
      g.appendChild(sv("text", { x: L + w + 4, y: y + 15, class: "value" }, r[value]));
      svg.appendChild(g);
    });
    fig.appendChild(svg);
  }

  // ---- world map with a bubble per located place ----
  var SCALE = 960 / (2 * Math.PI * 0.8707), X0 = 480, Y0 = 250;
  function naturalEarth(lon, lat) {
    var lam = lon * Math.PI / 180, phi = lat * Math.PI / 180, p2 = phi * phi, p4 = p2 * p2;
    var x = lam * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)));
    var y = phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)));
    return [X0 + SCALE * x, Y0 - SCALE * y];
  }
  function map(fig, p) {
    var c = {}; p.columns.forEach(function (n, i) { c[n] = i; });
    var value = p.columns.length - 1;
    var world = JSON.parse(document.getElementById("world").textContent);
    var byCountry = new Map(), located = [], unlocated = [];
    p.rows.forEach(function (r) {
      var n = num(r[value]);
      if (r[c.country_code]) byCountry.set(r[c.country_code], (byCountry.get(r[c.country_code]) || 0) + n);
      var lat = num(r[c.latitude]), lon = num(r[c.longitude]);
      if (isFinite(lat) && isFinite(lon)) located.push([lon, lat, n, r]); else unlocated.push(r);
    });
    var svg = sv("svg", { viewBox: "0 0 960 500", role: "img", "aria-labelledby": p.hid + " " + p.hid + "-alt" });
    svg.appendChild(sv("desc", { id: p.hid + "-alt" }, "World map: " + located.length + " located places drawn as circles sized by " +
      p.columns[value] + "; countries with calls are shaded. The table below lists every place."));
    var land = sv("g", { class: "land" });
    world.forEach(function (w) {
      var n = byCountry.get(w[0]);
      var e = sv("path", { d: w[2], class: n ? "country hit" : "country", "data-code": w[0] || undefined });
      e.appendChild(sv("title", {}, w[1] + (n ? ": " + n : "")));
      land.appendChild(e);
    });
    svg.appendChild(land);
    var max = 0; located.forEach(function (l) { max = Math.max(max, l[2]); });
    located.sort(function (a, b) { return b[2] - a[2]; });
    var g = sv("g", { class: "bubbles" });
    located.forEach(function (l) {
      var xy = naturalEarth(l[0], l[1]), r = l[3];
      var e = sv("circle", { class: "bubble", cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: (2 + 16 * Math.sqrt(l[2] / max)).toFixed(1) });
      var name = [r[c.city], r[c.region], r[c.country_name]].filter(function (s) { return s; }).join(", ");
      e.appendChild(sv("title", {}, plain(name) + ": " + r[value]));
      g.appendChild(e);
    });
    svg.appendChild(g);
    fig.appendChild(svg);
    if (unlocated.length) {
      var ul = el("ul", { class: "unlocated", "aria-label": "Not on the map" });
      ul.appendChild(el("li", {}, "Not on the map:"));
      unlocated.forEach(function (r) {
        var name = [r[c.city], r[c.region], r[c.country_name] || r[c.country_code]].filter(function (s) { return s; }).join(", ") || "(no location)";
        ul.appendChild(show(el("li"), name + ": " + r[value]));
      });
      fig.appendChild(ul);
    }
  }

  // ---- tables: every row, sortable, filterable, only the visible rows in the DOM ----
  var ROW = 24, ALL = 60;
  function table(host, p, caption) {
    var kinds = p.kinds, n = p.rows.length;
    var order = new Uint32Array(n); for (var i = 0; i < n; i++) order[i] = i;
    var view = order, sortCol = -1, dir = 1, lower = null;
    var tools = el("div", { class: "tools" });
    var input = el("input", { type: "search", placeholder: "Filter rows", "aria-label": "Filter the rows of " + plain(p.title) });
    var count = el("span", { class: "count", "aria-live": "polite" });
    tools.appendChild(input); tools.appendChild(count);
    var scroll = el("div", { class: "scroll", tabindex: "0" });
    var t = el("table", { class: "data" });
    t.appendChild(show(el("caption"), caption));
    var thead = el("thead"), hr = el("tr");
    p.columns.forEach(function (name, ci) {
      var th = el("th", { scope: "col", class: numeric(kinds[ci]) ? "n" : undefined, "aria-sort": "none" });
      var b = el("button", { type: "button" }, name);
      b.addEventListener("click", function () { sortBy(ci, th); });
      th.appendChild(b); hr.appendChild(th);
    });
    thead.appendChild(hr); t.appendChild(thead);
    var tbody = el("tbody"); t.appendChild(tbody);
    scroll.appendChild(t);
    if (n > 10) host.appendChild(tools);
    host.appendChild(scroll);
    var virtual = n > ALL;
    function sortBy(ci, th, want) {
      dir = want || (sortCol === ci ? -dir : (numeric(kinds[ci]) ? -1 : 1));
      sortCol = ci;
      hr.querySelectorAll("th").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      var rows = p.rows, keys;
      if (numeric(kinds[ci])) {
        keys = new Float64Array(n);
        for (var i = 0; i < n; i++) { var v = num(rows[i][ci]); keys[i] = isNaN(v) ? -Infinity : v; }
        order.sort(function (a, b) { return (keys[a] - keys[b]) * dir || a - b; });
      } else {
        order.sort(function (a, b) { var x = rows[a][ci], y = rows[b][ci]; return (x < y ? -1 : x > y ? 1 : 0) * dir || a - b; });
      }
      applyFilter();
    }
    function applyFilter() {
      var q = input.value.trim().toLowerCase();
      if (!q) view = order;
      else {
        if (!lower) lower = p.rows.map(function (r) { return r.join("\u0001").toLowerCase(); });
        var out = [];
        for (var i = 0; i < n; i++) if (lower[order[i]].indexOf(q) >= 0) out.push(order[i]);
        view = out;
      }
      count.textContent = (q ? view.length + " of " : "") + rowsText(n);
      scroll.scrollTop = 0;
      render();
    }
    function spacer(h) { var tr = el("tr", { class: "spacer", "aria-hidden": "true" }), td = el("td", { colspan: p.columns.length }); td.style.height = h + "px"; tr.appendChild(td); return tr; }
    function render(limit) {
      var total = view.length, from = 0, to = total;
      if (virtual && !limit) {
        var h = first ? 432 : scroll.clientHeight || 432;
        from = first ? 0 : Math.max(0, Math.floor(scroll.scrollTop / ROW) - 10);
        to = Math.min(total, from + Math.ceil(h / ROW) + 20);
      } else if (limit) to = Math.min(total, limit);
      var frag = document.createDocumentFragment();
      if (from > 0) frag.appendChild(spacer(from * ROW));
      for (var i = from; i < to; i++) {
        var r = p.rows[view[i]], tr = el("tr");
        for (var ci = 0; ci < r.length; ci++) {
          // Free text (a long cell with spaces: a finding's detail, an error message) wraps in a
          // table short enough to be drawn whole; rows of a virtualised one keep one height.
          var cls = numeric(kinds[ci]) ? "n" : !virtual && r[ci].length > 40 && r[ci].indexOf(" ") >= 0 ? "wrap" : "";
          var td = show(el("td", cls ? { class: cls } : {}), r[ci]);
          if (r[ci].length > 40 && cls !== "wrap") td.title = plain(r[ci]);
          tr.appendChild(td);
        }
        frag.appendChild(tr);
      }
      if (to < total) frag.appendChild(spacer((total - to) * ROW));
      tbody.textContent = "";
      tbody.appendChild(frag);
    }
    if (virtual) {
      var pending = false;
      scroll.addEventListener("scroll", function () { if (!pending) { pending = true; requestAnimationFrame(function () { pending = false; render(); }); } });
    }
    input.addEventListener("input", applyFilter);
    window.addEventListener("beforeprint", function () { render(100); });
    window.addEventListener("afterprint", function () { render(); });
    count.textContent = rowsText(n);
    // The first time without asking the layout for the height (432, the most CSS allows).
    var first = true;
    render();
    first = false;
    TABLES[p.id] = {
      sort: function (name, d) {
        var ci = p.columns.indexOf(name);
        if (ci >= 0) sortBy(ci, hr.children[ci], d === "asc" ? 1 : -1);
      },
      filter: function (q) { input.value = q; applyFilter(); }
    };
  }
  var TABLES = {};

  // A link can open the page with a table sorted or filtered:
  // #sort=PANEL:COLUMN:asc|desc and #filter=PANEL:TEXT, joined by &.
  function applyHash() {
    var h = location.hash.slice(1);
    if (!h) return;
    h.split("&").forEach(function (part) {
      var eq = part.indexOf("="), key = part.slice(0, eq), args = decodeURIComponent(part.slice(eq + 1)).split(":");
      var t = TABLES[args[0]];
      if (!t) return;
      if (key === "sort") t.sort(args[1], args[2]);
      else if (key === "filter") t.filter(args.slice(1).join(":"));
    });
  }

  // ---- the panels ----
  // ---- heat map: one row per series, one cell per bucket, coloured by the value (a % of a
  // limit: 0 pale, 100 and over the darkest); the capacity changes of the page's `changes`
  // panel are marked on the time axis ----
  function heatColor(y) {
    var f = Math.max(0, Math.min(1, y / 100));
    // From a pale yellow (0%) through orange to a dark red (100% and over).
    var h = 55 - 55 * f, l = 88 - 58 * f;
    return "hsl(" + h.toFixed(0) + ",85%," + l.toFixed(0) + "%)";
  }
  function changesOnPage() {
    var out = [], scripts = document.querySelectorAll("script.panel-data");
    for (var i = 0; i < scripts.length; i++) {
      var q = JSON.parse(scripts[i].textContent);
      if (q.id !== "changes") continue;
      var ti = q.columns.indexOf("time"), ei = q.columns.indexOf("event_name"), si = q.columns.indexOf("stream"), ui = q.columns.indexOf("user");
      q.rows.forEach(function (r) { out.push({ t: Date.parse(r[ti]), text: r[ti] + " " + r[ei] + " " + r[si] + (ui >= 0 && r[ui] ? " by " + r[ui] : "") }); });
    }
    return out;
  }
  function heatmap(fig, p) {
    var v = p.view, series = seriesOf(p);
    var times = [], seen = new Set();
    series.forEach(function (s) { s.pts.forEach(function (pt) { if (!seen.has(pt[0])) { seen.add(pt[0]); times.push(pt[0]); } }); });
    times.sort(function (a, b) { return a - b; });
    var x0 = times[0], x1 = times[times.length - 1] + v.bucket;
    // A key the same in every row (one account, one region) is said once above the map, not
    // in every row's label; the labels get the room the longest needs, up to 45% of the width,
    // and are cut (whole on hover) past that.
    var fixed = v.keys.map(function (k, j) { return series.length > 1 && series.every(function (s) { return s.keys[j] === series[0].keys[j]; }); });
    series.forEach(function (s) {
      s.label = s.keys.filter(function (x, j) { return !fixed[j] && x !== ""; }).join(" / ") || s.name;
    });
    var W = width(fig), R = 14, T = 16, B = 34;
    var longest = Math.max.apply(null, series.map(function (s) { return textWidth(plain(s.label)); }));
    var L = Math.round(Math.min(W * 0.45, Math.max(90, longest + 12)));
    var chars = Math.max(8, Math.floor((L - 12) / 6.6));
    var rowH = series.length > 40 ? 8 : 16, H = T + rowH * series.length + B;
    var X = function (t) { return L + (t - x0) / (x1 - x0) * (W - L - R); };
    var svg = sv("svg", { viewBox: "0 0 " + W + " " + H, role: "img", class: "heatmap", "aria-labelledby": p.hid + " " + p.hid + "-alt" });
    var desc = sv("desc", { id: p.hid + "-alt" });
    desc.textContent = "Heat map of " + p.columns[v.value] + " per " + humanStep(v.bucket) + " for " + series.length +
      " series from " + iso(x0) + " to " + iso(x1) + ", darker is nearer the limit; the table below has every value.";
    svg.appendChild(desc);
    var gAxis = sv("g", { class: "axis" }), gCells = sv("g", { class: "cells" }), gMarks = sv("g", { class: "changes" });
    svg.appendChild(gAxis); svg.appendChild(gCells); svg.appendChild(gMarks);
    series.forEach(function (s, i) {
      var y = T + i * rowH;
      if (rowH >= 12) {
        var label = show(sv("text", { class: "tick", x: L - 6, y: y + rowH - 4, "text-anchor": "end" }), s.label,
          textWidth(plain(s.label)) > L - 12 ? chars : undefined);
        label.appendChild(sv("title", {}, plain(s.name)));
        gAxis.appendChild(label);
      }
      s.pts.forEach(function (pt) {
        var xa = X(pt[0]), xb = X(pt[0] + v.bucket);
        var cell = sv("rect", { x: xa.toFixed(2), y: y, width: Math.max(1, xb - xa).toFixed(2), height: rowH - 1, fill: isFinite(pt[1]) ? heatColor(pt[1]) : "none" });
        cell.appendChild(sv("title", {}, plain(s.name) + " " + iso(pt[0]) + ": " + pt[2] + "%"));
        gCells.appendChild(cell);
      });
    });
    var tt = timeTicks(x0, x1, Math.max(2, Math.floor((W - L - R) / 110))), prevDay = null, axisY = T + rowH * series.length;
    tt.ticks.forEach(function (t) {
      var day = utc(t, true, false), withTime = tt.step < DAY;
      var label = withTime ? (day !== prevDay ? utc(t, true, true) : utc(t, false, true)) : day;
      prevDay = day;
      var x = X(t), anchor = x > W - R - 40 ? "end" : x < L + 40 ? "start" : "middle";
      gAxis.appendChild(sv("line", { class: "grid", x1: x, x2: x, y1: axisY, y2: axisY + 4 }));
      gAxis.appendChild(sv("text", { class: "tick", x: x, y: axisY + 16, "text-anchor": anchor }, label));
    });
    gAxis.appendChild(sv("text", { class: "tick", x: W - R, y: H - 4, "text-anchor": "end" }, "UTC"));
    changesOnPage().forEach(function (c) {
      if (!(c.t >= x0 && c.t <= x1)) return;
      var x = X(c.t), mark = sv("g", { class: "change" });
      mark.appendChild(sv("line", { x1: x, x2: x, y1: T - 4, y2: axisY }));
      mark.appendChild(sv("path", { d: "M" + (x - 5) + "," + (T - 12) + "h10l-5,8z" }));
      mark.appendChild(sv("title", {}, plain(c.text)));
      gMarks.appendChild(mark);
    });
    var common = v.keys.filter(function (k, j) { return fixed[j] && series[0].keys[j] !== ""; });
    if (common.length) {
      var all = el("p", { class: "heat-common" }, "Every row: ");
      common.forEach(function (k, i) {
        all.appendChild(document.createTextNode((i ? ", " : "") + p.columns[k] + " "));
        all.appendChild(show(el("b"), series[0].keys[v.keys.indexOf(k)]));
      });
      fig.appendChild(all);
    }
    var scale = el("p", { class: "heat-scale" }, "0% ");
    var key = sv("svg", { viewBox: "0 0 70 12", width: 70, height: 12, "aria-hidden": "true" });
    [0, 25, 50, 75, 100].forEach(function (y, i) { key.appendChild(sv("rect", { x: i * 14, y: 0, width: 14, height: 12, fill: heatColor(y) })); });
    scale.appendChild(key);
    scale.appendChild(document.createTextNode(" 100% and over of the write limit; \u25bc marks a capacity change (hover for it)"));
    fig.appendChild(scale);
    var wrap = el("div", { class: "chart" });
    wrap.appendChild(svg);
    fig.appendChild(wrap);
  }

  function same(a, b) { return a.length === b.length && a.every(function (x, i) { return x === b[i]; }); }
  function build(script) {
    var p = JSON.parse(script.textContent);
    var section = script.parentNode;
    p.hid = section.getAttribute("aria-labelledby");
    var fig = el("figure");
    var v = p.view, chart = null, wide = false;
    if (p.rows.length === 0) {
      section.appendChild(el("p", { class: "empty" }, "No data for this panel."));
      return;
    }
    if (v.type === "series" && p.id === "write-use") { chart = heatmap; wide = true; }
    else if (v.type === "series") { chart = timeChart; wide = v.summary === "total"; }
    else if (p.columns.indexOf("latitude") >= 0 && p.columns.indexOf("longitude") >= 0 && document.getElementById("world")) { chart = map; wide = true; }
    else if (same(p.kinds, ["text", "count", "percent"])) { chart = donut; wide = true; section.classList.add("split"); }
    else if (same(p.kinds, ["text", "count"])) chart = bars;
    else wide = p.columns.length > 3;
    if (wide) section.classList.add("wide");
    var caption = p.title + ": " + rowsText(p.rows.length) + " (select a heading to sort)";
    // The figure is placed now and drawn once every panel is placed: the charts take their
    // widths from one layout of the page, not one each.
    if (chart) section.appendChild(fig);
    if (chart && v.type === "series") {
      var det = el("details"); det.appendChild(el("summary", {}, "Data: " + rowsText(p.rows.length)));
      section.appendChild(det);
      table(det, p, caption);
    } else table(section, p, caption);
    if (!chart) return null;
    return {
      fig: fig,
      draw: function () {
        chart(fig, p);
        var unit = v.unit && p.title.indexOf("(" + v.unit + ")") < 0 ? " (" + v.unit + ")" : "";
        fig.appendChild(show(el("figcaption"), p.title + unit));
      }
    };
  }

  function main() {
    var panels = document.querySelectorAll("script.panel-data"), charts = [];
    function guard(i, f) {
      try { return f(); } catch (e) { fail("panel " + panels[i].parentNode.id + ": " + (e && e.stack || e)); }
    }
    for (var i = 0; i < panels.length; i++) charts.push(guard(i, build.bind(null, panels[i])));
    charts.forEach(function (c) { if (c) c.fig.width = width(c.fig); });
    charts.forEach(function (c, i) { if (c) guard(i, c.draw); });
    try { applyHash(); } catch (e) { fail("link: " + e); }
    document.documentElement.setAttribute("data-ready", "1");
    // Milliseconds from the start of navigation until the page was drawn (for measuring).
    document.documentElement.setAttribute("data-ready-ms", String(Math.round(performance.now())));
    // ... and until the frame after that was painted.
    requestAnimationFrame(function () {
      setTimeout(function () {
        document.documentElement.setAttribute("data-painted-ms", String(Math.round(performance.now())));
      }, 0);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main); else main();
})();
