// The polling module's map layer 投票进度: each village/community on polling day coloured by its turnout
// so far (ballots issued / voters on the roll) from the tile layer "election_polling", outlined by the
// counted outcome, for the staff the server offers it to, with a toggle, a legend and a popup.
//
// Freshness: the server bumps the layer's version as ballots are issued, but MapLibre only asks for a
// tile again when told to; while the layer is on, its tiles are refetched every REFRESH_MS (each is a
// cheap 304 against its ETag when nothing changed) so a town watching polling day sees turnout move.
import * as maplibregl from "maplibre-gl";
import { addModuleSource } from "../module-layer";
import { h } from "../ui";
import { L } from "./types";

const LAYER = "election_polling";
const FILL = "election-turnout-fill";
const LINE = "election-turnout-line";
// Browser tests shorten the period through this window property instead of waiting half a minute.
const REFRESH_MS = Number((window as unknown as Record<string, unknown>).__turnoutRefreshMs) || 30_000;

// Five turnout classes (a sequential yellow-green-blue ramp, readable under the basemap at 55 % opacity).
const RAMP: Array<[number, string]> = [[0, "#ffffcc"], [20, "#a1dab4"], [40, "#41b6c4"], [60, "#2c7fb8"], [80, "#253494"]];
const VALID = "#1a9641"; // counted, valid, nothing left to elect
const RERUN = "#d7191c"; // counted and invalid, or a run-off needed
const OPEN = "#555555"; // not counted yet

type Props = Record<string, string | number | boolean | null | undefined>;

const yes = (v: unknown): boolean => v === true || v === "true";

export async function setupTurnoutLayer(map: maplibregl.Map, offered: Set<string>): Promise<void> {
  if (!(await addModuleSource(map, LAYER, offered, 8))) return;
  const fill = ["step", ["to-number", ["get", "turnout"], 0], RAMP[0][1], ...RAMP.slice(1).flat()] as unknown as maplibregl.ExpressionSpecification;
  const counted = ["==", ["get", "counted"], true];
  const rerun = ["any", ["==", ["get", "valid"], false], ["==", ["get", "runoff_required"], true]];
  const outline = ["case", ["!", counted], OPEN, rerun, RERUN, VALID] as unknown as maplibregl.ExpressionSpecification;
  const width = ["case", counted, 3.5, 1.5] as unknown as maplibregl.ExpressionSpecification;
  map.addLayer({ id: FILL, type: "fill", source: LAYER, "source-layer": LAYER, layout: { visibility: "none" }, paint: { "fill-color": fill, "fill-opacity": 0.55 } });
  map.addLayer({ id: LINE, type: "line", source: LAYER, "source-layer": LAYER, layout: { visibility: "none" }, paint: { "line-color": outline, "line-width": width } });

  const button = h("button", { type: "button", id: "btn-election-turnout", class: "cadence-toggle", "aria-pressed": "false", title: L("投票日各村（社区）投票进度", "Polling-day turnout per village/community") }, L("投票进度", "Turnout"));
  const swatch = (style: string, label: string): HTMLElement => h("div", {}, h("span", { class: "swatch", style }), ` ${label}`);
  const legend = h(
    "div",
    { class: "cadence-legend", id: "turnout-legend", hidden: true },
    h("div", {}, L("投票率（已发选票/选民人数）", "Turnout (ballots issued / voters)")),
    ...RAMP.map(([from, colour], i) => swatch(`background:${colour}`, `${from}–${RAMP[i + 1]?.[0] ?? 100}%`)),
    swatch(`background:#fff;border:2px solid ${OPEN}`, L("未计票", "Not counted")),
    swatch(`background:#fff;border:2px solid ${VALID}`, L("已计票：选举有效", "Counted: valid")),
    swatch(`background:#fff;border:2px solid ${RERUN}`, L("已计票：无效或需另行选举", "Counted: invalid or run-off")),
  );
  let on = false;
  let timer: number | undefined;
  button.addEventListener("click", () => {
    on = !on;
    button.classList.toggle("active", on);
    button.setAttribute("aria-pressed", String(on));
    legend.hidden = !on;
    for (const id of [FILL, LINE]) map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
    window.clearInterval(timer);
    timer = on ? window.setInterval(() => map.refreshTiles(LAYER), REFRESH_MS) : undefined;
  });
  const box = h("div", { class: "maplibregl-ctrl maplibregl-ctrl-group cadence-ctrl" }, button, legend);
  map.addControl({ onAdd: () => box, onRemove: () => box.remove() }, "top-left");

  map.on("click", FILL, (ev) => {
    const f = ev.features?.[0];
    if (!f) return;
    const p = f.properties as Props;
    const lines: HTMLElement[] = [
      h("strong", {}, String(p.name ?? "")),
      h("div", {}, `${L("第几次投票", "Vote")}：${L(`第${String(p.vote ?? 1)}次`, `#${String(p.vote ?? 1)}`)}${yes(p.runoff) ? L("（另行选举）", " (run-off)") : ""}`),
      h("div", { class: "issued" }, `${L("已发选票/选民人数", "Ballots issued / voters")}：${String(p.issued ?? 0)}/${String(p.voters ?? 0)}`),
      h("div", { class: "turnout" }, `${L("投票率", "Turnout")}：${String(p.turnout ?? 0)}%`),
    ];
    if (yes(p.stopped)) lines.push(h("div", { class: "overdue" }, L("因异常情况暂停", "Stopped by an exception")));
    if (yes(p.counted)) {
      lines.push(
        h("div", { class: yes(p.valid) ? "ok" : "overdue" }, yes(p.valid) ? L("选举有效", "Election valid") : L("选举无效", "Election invalid")),
        h("div", {}, `${L("当选人数", "Elected")}：${String(p.elected ?? 0)}`),
        h("div", {}, `${L("需另行选举", "Run-off required")}：${yes(p.runoff_required) ? L("是", "yes") : L("否", "no")}`),
      );
    } else {
      lines.push(h("div", {}, L("尚未计票", "Not counted yet")));
    }
    new maplibregl.Popup({ maxWidth: "260px" }).setLngLat(ev.lngLat).setDOMContent(h("div", { class: "cadence-popup", id: "turnout-popup" }, ...lines)).addTo(map);
  });
}
