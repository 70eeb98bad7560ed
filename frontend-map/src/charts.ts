// ECharts, loaded on demand (its own chunk): the ranking of units, bars coloured like the map.
import * as echarts from "echarts/core";
import { BarChart } from "echarts/charts";
import { GridComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

/** The colour MapLibre's linear "interpolate" gives value/max on the same ramp. */
export function rampColor(ramp: string[], ratio: number): string {
  const r = Math.min(1, Math.max(0, ratio)) * (ramp.length - 1);
  const i = Math.min(ramp.length - 2, Math.floor(r));
  const f = r - i;
  const a = ramp[i].match(/\w\w/g)!.map((x) => parseInt(x, 16));
  const b = ramp[i + 1].match(/\w\w/g)!.map((x) => parseInt(x, 16));
  return `rgb(${a.map((v, k) => Math.round(v + (b[k] - v) * f)).join(",")})`;
}

export interface BarOptions {
  axisLabel: (v: number) => string; // compact ticks ("1.2万"), so neighbours never run together
  tooltip: (name: string, v: number) => string;
  onHover?: (id: number | null) => void;
  integer?: boolean; // counts of people, households…: no ticks at 0.3
}

export function barChart(
  el: HTMLElement,
  values: Array<{ id: number; name: string; value: number }>,
  max: number,
  ramp: string[],
  opts: BarOptions,
): echarts.EChartsType {
  el.style.height = `${Math.max(220, values.length * 22 + 40)}px`;
  const chart = echarts.init(el, undefined, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    grid: { left: 96, right: 24, top: 10, bottom: 24 },
    tooltip: {
      trigger: "item",
      formatter: (p: { dataIndex: number }) => opts.tooltip(values[p.dataIndex].name, values[p.dataIndex].value),
    },
    xAxis: { type: "value", splitNumber: 3, minInterval: opts.integer ? 1 : 0, axisLabel: { formatter: opts.axisLabel, hideOverlap: true, fontSize: 11 } },
    yAxis: { type: "category", data: values.map((v) => v.name), inverse: true, axisLabel: { fontSize: 11, width: 88, overflow: "truncate" } },
    series: [
      {
        type: "bar",
        data: values.map((v) => ({ value: v.value, itemStyle: { color: rampColor(ramp, v.value / max), borderColor: "#c55a11", borderWidth: 0.5 } })),
      },
    ],
  });
  if (opts.onHover) {
    chart.on("mouseover", (p) => opts.onHover!(values[(p as { dataIndex: number }).dataIndex]?.id ?? null));
    chart.on("mouseout", () => opts.onHover!(null));
  }
  return chart;
}
