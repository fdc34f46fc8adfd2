// Stacked bar charts as inline SVG, and the table of the numbers behind them.

import { h, svg } from "./dom.js";
import { COLORS } from "./summary.js";

const W = 560;
const H = 210;
const M = { top: 12, right: 12, bottom: 28, left: 44 };

/** A nice upper bound for the y axis: 1, 2 or 5 times a power of ten, at least `max`. */
function niceMax(max) {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((f) => f * power).find((v) => v >= max);
}

/**
 * @param {{title: string, buckets: {label: string, start: number}[], series: {name: string, values: number[]}[]}} data
 */
export function barChart(id, data) {
  const { buckets, series } = data;
  const totals = buckets.map((_, i) => series.reduce((sum, s) => sum + s.values[i], 0));
  const top = Math.max(4, niceMax(Math.max(0, ...totals)));
  const ticks = top % 5 === 0 ? 5 : 4; // whole-number gridlines for counts
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const slot = plotW / Math.max(1, buckets.length);
  const barW = Math.max(1, slot * 0.75);
  const y = (v) => M.top + plotH - (v / top) * plotH;
  const grid = Array.from({ length: ticks + 1 }, (_, i) => {
    const value = (top * i) / ticks;
    return [
      svg("line", { x1: M.left, x2: W - M.right, y1: y(value), y2: y(value), stroke: "#e3e7ed" }),
      svg("text", { x: M.left - 6, y: y(value) + 4, "text-anchor": "end" }, Number.isInteger(value) ? value : value.toFixed(1)),
    ];
  });
  const every = Math.max(1, Math.ceil(buckets.length / 6));
  const xLabels = buckets.map((b, i) =>
    i % every === 0 ? svg("text", { x: M.left + i * slot + slot / 2, y: H - 8, "text-anchor": "middle" }, b.label) : null,
  );
  const bars = buckets.map((b, i) => {
    let base = 0;
    return series.map((s, k) => {
      const v = s.values[i];
      if (!v) return null;
      const rect = svg(
        "rect",
        { x: M.left + i * slot + (slot - barW) / 2, y: y(base + v), width: barW, height: y(base) - y(base + v), fill: COLORS[k % COLORS.length] },
        svg("title", {}, `${b.label} · ${s.name}: ${v}`),
      );
      base += v;
      return rect;
    });
  });
  const total = totals.reduce((a, b) => a + b, 0);
  return h(
    "figure",
    { class: "chart", id, "data-total": total },
    h("h3", { id: `${id}-title` }, data.title, h("span", { class: "muted" }, ` — ${total.toLocaleString()} in range`)),
    legend(series),
    svg(
      "svg",
      { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}-title`, "data-total": total },
      grid,
      svg("line", { x1: M.left, x2: W - M.right, y1: y(0), y2: y(0), stroke: "#8a94a3" }),
      bars,
      xLabels,
    ),
    numbers(id, data, totals),
  );
}

function legend(series) {
  return h(
    "div",
    { class: "legend" },
    series.map((s, k) => h("span", {}, h("span", { class: "swatch", style: `background:${COLORS[k % COLORS.length]}` }), s.name)),
  );
}

function numbers(id, data, totals) {
  const head = h("tr", {}, h("th", { scope: "col" }, "Time"), data.series.map((s) => h("th", { scope: "col", class: "num" }, s.name)), h("th", { scope: "col", class: "num" }, "Total"));
  // Empty buckets are left out: the table lists the times something happened.
  const rows = data.buckets
    .map((b, i) => [b, i])
    .filter(([, i]) => totals[i] > 0)
    .map(([b, i]) =>
      h("tr", {}, h("th", { scope: "row" }, b.full), data.series.map((s) => h("td", { class: "num" }, s.values[i])), h("td", { class: "num" }, totals[i])),
    );
  if (!rows.length) rows.push(h("tr", {}, h("td", { colspan: data.series.length + 2, class: "muted" }, "Nothing in this time range.")));
  return h(
    "details",
    {},
    h("summary", {}, `Numbers behind “${data.title}”`),
    h("p", { class: "muted" }, `Per ${stepName(data.buckets)}; times with nothing are left out.`),
    h("div", { class: "table-wrap" }, h("table", { id: `${id}-table`, "aria-label": `${data.title} by time` }, h("thead", {}, head), h("tbody", {}, rows))),
  );
}

function stepName(buckets) {
  const step = buckets.length ? buckets[0].step : 0;
  const minutes = step / 60_000;
  if (minutes >= 1440) return `${minutes / 1440} day${minutes > 1440 ? "s" : ""}`;
  if (minutes >= 60) return `${minutes / 60} hour${minutes > 60 ? "s" : ""}`;
  return `${minutes} minute${minutes > 1 ? "s" : ""}`;
}
