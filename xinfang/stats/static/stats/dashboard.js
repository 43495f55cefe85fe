// 工作概览: draws the charts from the json_script data; each chart's table stays as the fallback.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function draw(id, option, height) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.hidden = false;
    el.style.height = (height || 280) + "px";  // CSSOM, not an inline style attribute (the CSP allows this)
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
  }

  draw("chart-trend", {
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 16, top: 16, bottom: 40 },
    xAxis: { type: "category", data: data.trend.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: "收件（件）", type: "line", data: data.trend.total }]
  });
  ["channel", "category"].forEach(function (by) {
    if (!data[by].length) { return; }
    draw("chart-" + by, {
      tooltip: { trigger: "item", formatter: "{b}：{c}件（{d}%）" },
      series: [{ type: "pie", radius: ["35%", "65%"], data: data[by] }]
    });
  });
  if (data.overdue.values.length) {
    draw("chart-overdue", {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.overdue.labels },
      series: [{ name: "超期（件）", type: "bar", barMaxWidth: 24, data: data.overdue.values }]
    }, 40 + 32 * data.overdue.values.length);
  }
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
