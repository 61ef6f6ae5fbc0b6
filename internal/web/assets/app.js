// Liandong's own script. Pages work without it; it draws the ECharts
// figures whose options the server puts in <script type="application/json">
// blocks (the Content-Security-Policy allows no inline script), and draws
// them again after htmx swaps content in.
(function () {
  "use strict";

  function draw(root) {
    if (typeof echarts === "undefined") {
      return;
    }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) {
        return;
      }
      var src = document.getElementById(el.dataset.chart);
      if (!src) {
        return;
      }
      var option = JSON.parse(src.textContent);
      if (option.liandongMap) {
        option = pairingMap(option.liandongMap);
        if (!option) {
          return;
        }
      }
      fitGraph(option, el.clientWidth, el.clientHeight);
      textTooltip(option);
      var screen = document.body.classList.contains("screen");
      if (screen) {
        onDark(option);
      }
      var chart = echarts.init(el, screen ? "dark" : null, { renderer: "canvas" });
      // data-drawn tells tests (and styles) that the figure is on screen.
      chart.on("finished", function () {
        el.dataset.drawn = "true";
      });
      chart.setOption(option);
      placeLabels(chart);
      window.addEventListener("resize", function () {
        chart.resize();
        placeLabels(chart);
      });
    });
  }

  // onDark suits a figure to the meeting room's dark screen: ECharts' dark
  // theme on the page's own ground, and white labels where the server set
  // dark ones; the map's districts stay light, so their labels stay dark.
  function onDark(option) {
    option.backgroundColor = "transparent";
    // Read from across the room: larger axis labels and legend.
    [].concat(option.xAxis || [], option.yAxis || []).forEach(function (a) {
      a.axisLabel = Object.assign({}, a.axisLabel, { fontSize: 16 });
    });
    [].concat(option.legend || []).forEach(function (l) {
      l.textStyle = Object.assign({}, l.textStyle, { fontSize: 16 });
    });
    (option.series || []).forEach(function (s) {
      if (s.label && s.label.color && s.coordinateSystem !== "geo") {
        s.label = Object.assign({}, s.label, { color: "#ffffff" });
      }
    });
  }

  // textTooltip replaces ECharts' tooltip content, which is HTML: names
  // pasted into it unescaped (an agreement titled <img onerror=…> would
  // run) and colour markers drawn with style attributes, each one refused
  // by the Content-Security-Policy. Ours is made of text nodes only, and
  // app.css styles it through its class.
  function textTooltip(option) {
    if (!option.tooltip) {
      return;
    }
    option.tooltip = Object.assign({}, option.tooltip, {
      // confine: inside the chart, and without the arrow ECharts would
      // draw with a style attribute.
      renderMode: "html", className: "chart-tooltip", confine: true, formatter: tooltipContent
    });
  }

  function tooltipContent(params) {
    var box = document.createElement("div");
    function line(text) {
      var div = document.createElement("div");
      div.textContent = text;
      box.appendChild(div);
    }
    var list = Array.isArray(params) ? params : [params];
    if (Array.isArray(params) && list.length && list[0].axisValueLabel) {
      line(list[0].axisValueLabel);
    }
    list.forEach(function (p) {
      var v = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
      var shown = typeof v === "number" ? String(v) : "";
      if (Array.isArray(params)) {
        line((p.seriesName || "") + (shown ? ": " + shown : ""));
      } else {
        // A graph's edge is named "0 > 1" by ECharts; its own name is
        // the agreement's title.
        var name = (p.dataType === "edge" && p.data && p.data.name) || p.name || p.seriesName || "";
        line(name + (shown ? ": " + shown : ""));
      }
    });
    return box;
  }

  // The pairing figure places its nodes in two columns with fixed data
  // coordinates; ECharts scales x and y to the box separately, which would
  // stretch the round nodes. Set the columns' distance so that one unit is
  // as wide as it is tall in this box. On a phone, give the labels more
  // room and let long names wrap.
  function fitGraph(option, width, height) {
    (option.series || []).forEach(function (s) {
      if (s.type !== "graph" || s.layout !== "none") {
        return;
      }
      if (width < 700) {
        s.left = "36%";
        s.right = "36%";
        s.label = Object.assign({}, s.label, { fontSize: 11 });
      }
      // Each column's labels get the margin beside it, and wrap within it.
      s.label = Object.assign({}, s.label, { width: Math.floor(width * parseFloat(s.left) / 100) - 16, overflow: "break" });
      var boxW = width * (1 - parseFloat(s.left) / 100 - parseFloat(s.right) / 100);
      var boxH = height - (s.top || 0) - (s.bottom || 0);
      var maxY = 0;
      s.data.forEach(function (n) { maxY = Math.max(maxY, n.y); });
      if (boxW <= 0 || boxH <= 0 || maxY === 0) {
        return;
      }
      var right = maxY * boxW / boxH;
      s.data.forEach(function (n) {
        if (n.x > 0) {
          n.x = right;
        }
      });
    });
  }

  // pairingMap joins the district outlines the vendored map files register
  // (one map per city) into one map, and draws each pairing as a line
  // between the centres ("cp") of its two districts. Pairs whose districts
  // have no outline are left out; the graph shows every pairing.
  function pairingMap(spec) {
    var features = [];
    var encoded = null;
    for (var i = 0; i < spec.regions.length; i++) {
      var m = echarts.getMap(spec.regions[i]);
      var geo = m && (m.geoJSON || m.geoJson);
      if (!geo) {
        return null;
      }
      if (encoded === null) {
        encoded = !!geo.UTF8Encoding;
      } else if (encoded !== !!geo.UTF8Encoding) {
        return null;
      }
      features = features.concat(JSON.parse(JSON.stringify(geo.features)));
    }
    var name = "liandong-" + spec.regions.join("-");
    if (!echarts.getMap(name)) {
      echarts.registerMap(name, { type: "FeatureCollection", UTF8Encoding: encoded, features: features });
    }
    var centre = {};
    features.forEach(function (f) {
      if (f.properties && f.properties.cp) {
        centre[f.properties.name] = f.properties.cp;
      }
    });
    var lines = [];
    var points = {};
    spec.pairs.forEach(function (p) {
      var a = centre[p.a], b = centre[p.b];
      if (!a || !b) {
        return;
      }
      lines.push({ name: p.title, coords: [a, b] });
      points[p.a] = { name: p.a_label, value: a };
      points[p.b] = { name: p.b_label, value: b };
    });
    return {
      aria: { enabled: true },
      animation: false,
      tooltip: { trigger: "item" },
      geo: {
        map: name, roam: false, silent: true, boundingCoords: around(points),
        itemStyle: { areaColor: "#eef2f6", borderColor: "#8a9099" },
        label: { show: false }
      },
      series: [
        { type: "lines", coordinateSystem: "geo", data: lines, lineStyle: { color: "#0b57d0", width: 2, opacity: 0.8, curveness: 0.15 } },
        {
          type: "scatter", coordinateSystem: "geo", symbolSize: 8, itemStyle: { color: "#b3261e" },
          data: Object.keys(points).map(function (k) { return points[k]; }),
          id: "districts",
          label: {
            show: true, position: "right", formatter: "{b}", fontSize: labelFont(), color: "#1f1f1f",
            backgroundColor: "rgba(255,255,255,0.85)", padding: [1, 3]
          },
          // placeLabels sets each name's side; what still collides ECharts
          // hides (the point and its tooltip stay).
          labelLayout: { hideOverlap: true }
        }
      ]
    };
  }

  // The map's district names: larger on the meeting room's screen.
  function labelFont() {
    return document.body.classList.contains("screen") ? 16 : 12;
  }

  // placeLabels puts each district's name on the side of its point where
  // it covers no name placed before it nor another point — right, left,
  // above or below — and leaves it out where no side is free: neighbouring
  // districts would otherwise write their names over each other.
  function placeLabels(chart) {
    var series = (chart.getOption().series || []).filter(function (s) { return s.id === "districts"; })[0];
    if (!series) {
      return;
    }
    var measure = document.createElement("canvas").getContext("2d");
    measure.font = labelFont() + "px sans-serif";
    var h = labelFont() + 4, gap = 7;
    var points = series.data.map(function (d) {
      var p = chart.convertToPixel({ geoIndex: 0 }, d.value);
      return { x: p[0], y: p[1], w: measure.measureText(d.name).width + 8 };
    });
    var taken = points.map(function (p) { return { x: p.x - 5, y: p.y - 5, w: 10, h: 10 }; });
    var width = chart.getWidth(), height = chart.getHeight();
    function free(r) {
      return r.x >= 0 && r.y >= 0 && r.x + r.w <= width && r.y + r.h <= height && taken.every(function (o) {
        return r.x + r.w <= o.x || o.x + o.w <= r.x || r.y + r.h <= o.y || o.y + o.h <= r.y;
      });
    }
    var data = series.data.map(function (d, i) {
      var p = points[i];
      var sides = {
        right: { x: p.x + gap, y: p.y - h / 2, w: p.w, h: h },
        left: { x: p.x - gap - p.w, y: p.y - h / 2, w: p.w, h: h },
        top: { x: p.x - p.w / 2, y: p.y - gap - h, w: p.w, h: h },
        bottom: { x: p.x - p.w / 2, y: p.y + gap, w: p.w, h: h }
      };
      var side = Object.keys(sides).filter(function (k) { return free(sides[k]); })[0];
      if (side) {
        taken.push(sides[side]);
      }
      return { name: d.name, value: d.value, label: { show: !!side, position: side || "right" } };
    });
    chart.setOption({ series: [{ id: "districts", data: data }] });
  }

  // around is the box the map shows: the paired districts' centres with a
  // margin, so that the districts paired, not the two cities' whole
  // outlines, fill the figure and their names have room.
  function around(points) {
    var lng = [], lat = [];
    Object.keys(points).forEach(function (k) {
      lng.push(points[k].value[0]);
      lat.push(points[k].value[1]);
    });
    if (!lng.length) {
      return null;
    }
    var x0 = Math.min.apply(null, lng), x1 = Math.max.apply(null, lng);
    var y0 = Math.min.apply(null, lat), y1 = Math.max.apply(null, lat);
    var dx = Math.max((x1 - x0) * 0.12, 0.3), dy = Math.max((y1 - y0) * 0.2, 0.3);
    return [[x0 - dx, y1 + dy], [x1 + dx, y0 - dy]];
  }

  // menu folds the top menu behind a button on a phone (the style sheet
  // hides it under 480 px once the page says it has this script); without
  // the script the menu stays open.
  function menu() {
    var button = document.getElementById("menu-toggle");
    if (!button) {
      return;
    }
    document.documentElement.classList.add("menu-folds");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
    });
  }

  // foldFilters closes a list's filters, saved views and further tools on
  // a phone: the list, not eight selects, a column of views and two forms,
  // is what a thumb reaches first. Open on wider screens, and wherever a
  // field inside was refused, so that its message is seen.
  function foldFilters() {
    if (!window.matchMedia("(max-width: 479.98px)").matches) {
      return;
    }
    ["filter-fold", "views-fold", "tools-fold"].forEach(function (id) {
      var fold = document.getElementById(id);
      if (fold && !fold.querySelector('[aria-invalid="true"], .field-error')) {
        fold.open = false;
      }
    });
  }

  // screen runs the meeting room's full-screen dashboard: the page reloads
  // itself every data-refresh seconds, and the "fill the screen" button
  // appears where the browser has the Fullscreen API.
  function screen() {
    var seconds = parseInt(document.body.dataset.refresh || "", 10);
    if (seconds > 0) {
      window.setTimeout(function () {
        window.location.reload();
      }, seconds * 1000);
    }
    var button = document.getElementById("fullscreen");
    if (!button || !document.fullscreenEnabled) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        document.documentElement.requestFullscreen();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    menu();
    foldFilters();
    screen();
    draw(document);
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    draw(e.target);
  });
})();
