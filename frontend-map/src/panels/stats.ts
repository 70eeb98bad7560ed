// Town supervisors (and anyone above village level): per-village colours for a chosen statistic.
// Values go into feature-state of the child level's tile features, so the choropleth needs no
// extra tiles; ECharts draws the ranking and the colour legend.
import type { ExpressionSpecification } from "maplibre-gl";
import { api, listUnits, unitId } from "../api";
import { t } from "../i18n";
import { canSeePeople } from "../people";
import { LAYER_OF_LEVEL } from "../style";
import { h, showError } from "../ui";
import { startJob, watchJob } from "../common/jobs";
import type { Panel } from "./index";

const RAMP = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];

function peopleOf(stats: unknown): number {
  const s = stats as Record<string, unknown>;
  for (const k of ["residents", "people", "population", "total", "count"]) if (typeof s?.[k] === "number") return s[k] as number;
  return 0;
}

function housesOf(stats: unknown): number {
  const s = stats as Record<string, unknown>;
  for (const k of ["houses_occupied", "houses", "households"]) if (typeof s?.[k] === "number") return s[k] as number;
  return 0;
}

export const statsPanel: Panel = {
  id: "stats",
  label: "tabStats",
  visible: (app) => !!app.me.unit && app.me.unit.level <= 2,
  render(app, el) {
    const me = app.me;
    const body = h("div", { class: "stats" });
    el.append(body);
    const childLevel = me.unit!.level + 1;
    const layer = LAYER_OF_LEVEL[childLevel];
    const info = app.tiles[layer];
    const fillId = `${layer}-fill`;
    const original = app.map.getLayer(fillId)
      ? { color: app.map.getPaintProperty(fillId, "fill-color"), opacity: app.map.getPaintProperty(fillId, "fill-opacity") }
      : null;
    const select = h(
      "select",
      { id: "stat-choice" },
      h("option", { value: "area" }, t("statArea")),
      canSeePeople(me) ? h("option", { value: "people" }, t("statPeople")) : null,
      canSeePeople(me) ? h("option", { value: "houses" }, t("statHouses")) : null,
    );
    const chartBox = h("div", { class: "chart", id: "stat-chart" });
    const legendMin = h("span", {}, "0");
    const legendMax = h("span", {}, "");
    const legend = h("div", { class: "ramp-legend" }, legendMin, h("span", { class: "ramp", style: `background: linear-gradient(90deg, ${RAMP.join(",")})` }), legendMax);
    body.append(h("h3", {}, t("statsTitle")), h("label", {}, t("statistic"), " ", select), legend, chartBox);
    if (canSeePeople(me)) {
      // The report is a background job: a progress bar, then a link to the workbook.
      const jobBox = h("div", { id: "stats-report-job" });
      const report = h("button", { type: "button", id: "btn-stats-report", class: "secondary" }, t("statsReport"));
      report.addEventListener("click", async () => {
        report.disabled = true;
        try {
          const job = await startJob("population.stats_report", { unit: me.unit!.id });
          await watchJob(job.id, jobBox);
        } catch (err) {
          showError(err);
        } finally {
          report.disabled = false;
        }
      });
      body.append(h("div", { class: "buttons" }, report), jobBox);
    }
    let chart: { dispose(): void; resize(): void } | null = null;
    const run = async (): Promise<void> => {
      try {
        const kids = await listUnits({ parent: me.unit!.id, geometry: "false" });
        let values: Array<{ id: number; name: string; value: number }>;
        if (select.value === "area") values = kids.map((k) => ({ id: unitId(k), name: k.properties!.name, value: Math.round((k.properties!.area_m2 ?? 0) / 1e4) }));
        else {
          values = await Promise.all(
            kids.map(async (k) => {
              const s = await api(`/api/population/stats/${unitId(k)}/`).catch(() => null);
              return { id: unitId(k), name: k.properties!.name, value: select.value === "people" ? peopleOf(s) : housesOf(s) };
            }),
          );
        }
        const max = Math.max(1, ...values.map((v) => v.value));
        legendMax.textContent = String(max);
        if (info && app.map.getLayer(fillId)) {
          for (const v of values) app.map.setFeatureState({ source: layer, sourceLayer: info.sourceLayer, id: v.id }, { stat: v.value });
          const stops = RAMP.flatMap((c, i) => [(max * i) / (RAMP.length - 1), c]);
          const color = ["interpolate", ["linear"], ["coalesce", ["feature-state", "stat"], 0], ...stops] as unknown as ExpressionSpecification;
          app.map.setPaintProperty(fillId, "fill-color", color);
          app.map.setPaintProperty(fillId, "fill-opacity", 0.65);
        }
        const echarts = await import("../charts");
        chart?.dispose();
        chart = echarts.barChart(chartBox, values.sort((a, b) => b.value - a.value), max, RAMP);
      } catch (err) {
        showError(err);
      }
    };
    select.addEventListener("change", () => void run());
    void run();
    new MutationObserver((_, obs) => {
      if (!body.isConnected) {
        chart?.dispose();
        if (original && app.map.getLayer(fillId)) {
          app.map.setPaintProperty(fillId, "fill-color", original.color);
          app.map.setPaintProperty(fillId, "fill-opacity", original.opacity);
        }
        obs.disconnect();
      }
    }).observe(el, { childList: true });
  },
};
