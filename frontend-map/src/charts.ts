// ECharts, loaded on demand (its own chunk): the per-village ranking with a colour legend.
import * as echarts from "echarts/core";
import { BarChart } from "echarts/charts";
import { GridComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, GridComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export function barChart(el: HTMLElement, values: Array<{ name: string; value: number }>, max: number, ramp: string[]): echarts.EChartsType {
  el.style.height = `${Math.max(220, values.length * 22 + 60)}px`;
  const chart = echarts.init(el, undefined, { renderer: "canvas" });
  chart.setOption({
    grid: { left: 90, right: 20, top: 40, bottom: 20 },
    tooltip: { trigger: "axis" },
    visualMap: { min: 0, max, orient: "horizontal", left: "center", top: 0, inRange: { color: ramp }, calculable: false, itemHeight: 120 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: values.map((v) => v.name), inverse: true, axisLabel: { fontSize: 11 } },
    series: [{ type: "bar", data: values.map((v) => v.value) }],
  });
  return chart;
}
