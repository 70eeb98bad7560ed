// Statistics of the units one level below the user's (towns for a district, communities for a
// town): one figure per unit as colours on the map (feature-state of the child level's tiles, no
// extra tiles) and as an ECharts ranking. Every figure the population statistics API gives is
// offered: residents, sex, registration, households, occupied houses, each age band, each tag.
// A unit's statistics are fetched once; switching figures recolours at once.
import { Popup, type ExpressionSpecification, type MapMouseEvent } from "maplibre-gl";
import { api, listUnits, unitId, type UnitFeature } from "../api";
import { levelName, getLang, t, type Key } from "../i18n";
import { canSeePeople } from "../people";
import { LAYER_OF_LEVEL } from "../style";
import { h, showError } from "../ui";
import { startJob, watchJob } from "../common/jobs";
import type { Panel } from "./index";

const RAMP = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];

interface UnitStats {
  population?: number;
  male?: number;
  female?: number;
  registered_here?: number;
  households?: number;
  houses_occupied?: number;
  buildings_with_residents?: number;
  age_sex?: Array<{ band: string; male: number; female: number }>;
  tags?: Array<{ tag: string; label: string; count: number }>;
}

/** A figure: its label, its unit of count, and how to read it from a unit (and its statistics). */
interface Metric {
  id: string;
  label: string;
  unit: Key;
  people: boolean; // needs the population statistics
  value: (u: UnitFeature, s: UnitStats | null) => number;
}

const band = (s: UnitStats | null, bands: string[]): number =>
  (s?.age_sex ?? []).filter((b) => bands.includes(b.band)).reduce((n, b) => n + b.male + b.female, 0);

function metricsFor(sample: UnitStats | null, withPeople: boolean): Metric[] {
  const m: Metric[] = [{ id: "area", label: t("statArea"), unit: "unitHa", people: false, value: (u) => Math.round((u.properties?.area_m2 ?? 0) / 1e3) / 10 }];
  if (!withPeople) return m;
  const num = (k: keyof UnitStats) => (_u: UnitFeature, s: UnitStats | null) => Number(s?.[k] ?? 0);
  m.push(
    { id: "population", label: t("statPeople"), unit: "unitPeople", people: true, value: num("population") },
    { id: "male", label: t("statMale"), unit: "unitPeople", people: true, value: num("male") },
    { id: "female", label: t("statFemale"), unit: "unitPeople", people: true, value: num("female") },
    { id: "registered_here", label: t("statRegistered"), unit: "unitPeople", people: true, value: num("registered_here") },
    { id: "households", label: t("statHouseholds"), unit: "unitHouseholds", people: true, value: num("households") },
    { id: "houses_occupied", label: t("statHouses"), unit: "unitHouses", people: true, value: num("houses_occupied") },
    { id: "age60", label: t("statAge60"), unit: "unitPeople", people: true, value: (_u, s) => band(s, ["60-79", "80+"]) },
  );
  for (const b of sample?.age_sex ?? []) {
    m.push({ id: `age:${b.band}`, label: t("statAgeBand", { band: b.band }), unit: "unitPeople", people: true, value: (_u, s) => band(s, [b.band]) });
  }
  for (const tag of sample?.tags ?? []) {
    m.push({ id: `tag:${tag.tag}`, label: tag.label, unit: "unitPeople", people: true, value: (_u, s) => s?.tags?.find((x) => x.tag === tag.tag)?.count ?? 0 });
  }
  return m;
}

/** 12000 → "1.2万" (Chinese) or "12K" (English): axis ticks that never run into each other. */
export function compact(n: number): string {
  return new Intl.NumberFormat(getLang() === "zh" ? "zh-CN" : "en", { notation: "compact", maximumFractionDigits: 1 }).format(n);
}

/** 11880 → "11,880": the exact figure, for the legend and the tooltips. */
export function full(n: number): string {
  return new Intl.NumberFormat(getLang() === "zh" ? "zh-CN" : "en", { maximumFractionDigits: 1 }).format(n);
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
    const withPeople = canSeePeople(me);
    const select = h("select", { id: "stat-choice", disabled: true });
    const status = h("p", { class: "muted stats-status", id: "stat-status" }, t("loading"));
    const chartBox = h("div", { class: "chart", id: "stat-chart" });
    const legendMin = h("span", { id: "stat-min" }, "0");
    const legendMax = h("span", { id: "stat-max" }, "");
    const legend = h("div", { class: "ramp-legend" }, legendMin, h("span", { class: "ramp", style: `background: linear-gradient(90deg, ${RAMP.join(",")})` }), legendMax);
    // "各镇街统计" for a district (its children are towns), "各村社区统计" for a town.
    body.append(h("h3", { id: "stat-title" }, t("statsTitle", { level: levelName(childLevel) })), h("label", {}, t("statistic"), " ", select), status, legend, chartBox);
    if (withPeople) {
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

    let kids: UnitFeature[] = [];
    const stats = new Map<number, UnitStats | null>();
    let metrics: Metric[] = [];
    let current: Metric | null = null;
    let values = new Map<number, number>();
    let chart: { dispose(): void } | null = null;
    let token = 0;
    const popup = new Popup({ closeButton: false, closeOnClick: false, className: "stat-popup", offset: 8 });

    const paint = async (): Promise<void> => {
      const m = metrics.find((x) => x.id === select.value) ?? metrics[0];
      current = m;
      const mine = ++token;
      values = new Map(kids.map((k) => [unitId(k), m.value(k, stats.get(unitId(k)) ?? null)]));
      const rows = kids.map((k) => ({ id: unitId(k), name: k.properties!.name, value: values.get(unitId(k)) ?? 0 }));
      const max = Math.max(0, ...rows.map((r) => r.value));
      legendMax.textContent = `${full(max)} ${t(m.unit)}`;
      if (info && app.map.getLayer(fillId)) {
        for (const r of rows) app.map.setFeatureState({ source: layer, sourceLayer: info.sourceLayer, id: r.id }, { stat: r.value });
        const top = Math.max(max, 1);
        const stops = RAMP.flatMap((c, i) => [(top * i) / (RAMP.length - 1), c]);
        const color = ["interpolate", ["linear"], ["coalesce", ["feature-state", "stat"], 0], ...stops] as unknown as ExpressionSpecification;
        app.map.setPaintProperty(fillId, "fill-color", color);
        app.map.setPaintProperty(fillId, "fill-opacity", ["case", ["boolean", ["feature-state", "hover"], false], 0.9, 0.65]);
      }
      const echarts = await import("../charts");
      if (mine !== token || !body.isConnected) return;
      chart?.dispose();
      chart = echarts.barChart(chartBox, rows.sort((a, b) => b.value - a.value), Math.max(max, 1), RAMP, {
        axisLabel: compact,
        tooltip: (name, v) => `${name}：${full(v)} ${t(m.unit)}`,
        onHover: (id) => hover(id),
        integer: m.id !== "area",
      });
      (window as unknown as Record<string, unknown>).__statChart = chart;
      status.textContent = "";
      chartBox.classList.remove("loading");
    };

    let hovered: number | null = null;
    const hover = (id: number | null): void => {
      if (!info || !app.map.getSource(layer)) return;
      if (hovered !== null) app.map.setFeatureState({ source: layer, sourceLayer: info.sourceLayer, id: hovered }, { hover: false });
      hovered = id;
      if (id !== null) app.map.setFeatureState({ source: layer, sourceLayer: info.sourceLayer, id }, { hover: true });
    };

    // Hovering a unit on the map shows its name and the figure.
    const onMove = (ev: MapMouseEvent & { features?: Array<{ id?: string | number; properties: Record<string, unknown> }> }): void => {
      const f = ev.features?.[0];
      if (!f || !current || f.id === undefined) return;
      const id = Number(f.id);
      const v = values.get(id);
      if (v === undefined) return;
      hover(id);
      popup
        .setLngLat(ev.lngLat)
        .setHTML("")
        .setDOMContent(h("div", { id: "stat-hover" }, h("b", {}, String(f.properties.name ?? "")), h("br", {}), `${current.label}：${full(v)} ${t(current.unit)}`))
        .addTo(app.map);
    };
    const onLeave = (): void => {
      popup.remove();
      hover(null);
    };
    app.map.on("mousemove", fillId, onMove);
    app.map.on("mouseleave", fillId, onLeave);

    const load = async (): Promise<void> => {
      try {
        kids = await listUnits({ parent: me.unit!.id, geometry: "false" });
        if (withPeople) {
          status.textContent = t("statLoadingPeople", { n: String(kids.length) });
          chartBox.classList.add("loading");
          // Each unit once, four at a time (a district's thirty towns must not crowd out the
          // server's other answers); a failed one counts as unknown (0) rather than failing all.
          const queue = [...kids];
          const worker = async (): Promise<void> => {
            for (let k = queue.shift(); k; k = queue.shift()) {
              stats.set(unitId(k), await api<UnitStats>(`/api/population/stats/${unitId(k)}/`).catch(() => null));
            }
          };
          await Promise.all([worker(), worker(), worker(), worker()]);
        }
        if (!body.isConnected) return;
        const sample = [...stats.values()].find((s) => s) ?? null;
        metrics = metricsFor(sample, withPeople && !!sample);
        select.replaceChildren(...metrics.map((m) => h("option", { value: m.id }, m.label)));
        select.value = withPeople && sample ? "population" : "area";
        select.disabled = false;
        await paint();
      } catch (err) {
        status.textContent = "";
        showError(err);
      }
    };
    select.addEventListener("change", () => void paint().catch(showError));
    void load();
    new MutationObserver((_, obs) => {
      if (!body.isConnected) {
        chart?.dispose();
        popup.remove();
        hover(null);
        app.map.off("mousemove", fillId, onMove);
        app.map.off("mouseleave", fillId, onLeave);
        if (original && app.map.getLayer(fillId)) {
          app.map.setPaintProperty(fillId, "fill-color", original.color);
          app.map.setPaintProperty(fillId, "fill-opacity", original.opacity);
        }
        obs.disconnect();
      }
    }).observe(el, { childList: true });
  },
};
