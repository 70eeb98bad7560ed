// The elections module's map layer: each village/community coloured by its election's stage (red when
// stopped by an exception) from the tile layer "election_stage", for the staff the server offers it
// to, with a toggle, a legend of the stages and a popup naming the stage.
import * as maplibregl from "maplibre-gl";
import { api } from "../api";
import { addModuleSource } from "../module-layer";
import { h } from "../ui";
import { L, type Meta } from "./types";

const LAYER = "election_stage";
export const STAGE_FILL = "election-stage-fill";
const LINE = "election-stage-line";

let toggle: ((on: boolean) => void) | null = null;

/** Switch the layer on or off from elsewhere (the elections panel shows it with its list). */
export function showStageLayer(on: boolean): void {
  toggle?.(on);
}

export async function setupElectionLayer(map: maplibregl.Map, offered: Set<string>): Promise<void> {
  if (!offered.has(LAYER)) return;
  const [added, meta] = await Promise.all([addModuleSource(map, LAYER, offered, 8), api<Meta>("/api/elections/meta/")]);
  if (!added) return;
  const stages: unknown[] = [];
  for (const s of meta.stages) stages.push(s.value, s.colour);
  const colour = ["case", ["==", ["get", "stopped"], true], meta.stopped_colour, ["match", ["get", "stage"], ...stages, "#9e9e9e"]] as unknown as maplibregl.ExpressionSpecification;
  map.addLayer({ id: STAGE_FILL, type: "fill", source: LAYER, "source-layer": LAYER, layout: { visibility: "none" }, paint: { "fill-color": colour, "fill-opacity": 0.45 } });
  map.addLayer({ id: LINE, type: "line", source: LAYER, "source-layer": LAYER, layout: { visibility: "none" }, paint: { "line-color": colour, "line-width": 2 } });
  const button = h("button", { type: "button", id: "btn-election-stage", class: "cadence-toggle", title: L("换届选举进度", "Election progress") }, L("选举进度", "Elections"));
  const legend = h(
    "div",
    { class: "cadence-legend", id: "election-legend", hidden: true },
    ...meta.stages.map((s) => h("div", {}, h("span", { class: "swatch", style: `background:${s.colour}` }), ` ${s.label}`)),
    h("div", {}, h("span", { class: "swatch", style: `background:${meta.stopped_colour}` }), ` ${L("异常暂停", "Stopped")}`),
  );
  let on = false;
  toggle = (next: boolean): void => {
    on = next;
    button.classList.toggle("active", on);
    legend.hidden = !on;
    for (const id of [STAGE_FILL, LINE]) map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
  };
  button.addEventListener("click", () => toggle?.(!on));
  const box = h("div", { class: "maplibregl-ctrl maplibregl-ctrl-group cadence-ctrl" }, button, legend);
  map.addControl({ onAdd: () => box, onRemove: () => box.remove() }, "top-left");
  map.on("click", STAGE_FILL, (ev) => {
    const f = ev.features?.[0];
    if (!f) return;
    const p = f.properties as Record<string, string | number | boolean>;
    const stage = meta.stages.find((s) => s.value === p.stage);
    const body = h(
      "div",
      { class: "cadence-popup", id: "election-popup" },
      h("strong", {}, String(p.name ?? "")),
      h("div", {}, `${L("阶段", "Stage")}：${stage?.label ?? String(p.stage)}${p.stopped ? L("（异常暂停）", " (stopped)") : ""}`),
      h("div", {}, `${L("选举日", "Election day")}：${String(p.election_day ?? "")}`),
      h("div", {}, `${L("选民", "Voters")}：${String(p.voters ?? 0)}`),
    );
    new maplibregl.Popup({ maxWidth: "260px" }).setLngLat(ev.lngLat).setDOMContent(body).addTo(map);
  });
}
