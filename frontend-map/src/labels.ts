// One label per unit. A polygon label taken straight from vector tiles repeats once per tile the
// polygon crosses; instead, the features already loaded from the tiles are grouped by feature id
// and each unit gets one point (the pole of inaccessibility of its largest loaded piece, which lies
// inside the unit). Only tile data is used, so labels follow the same permissions as the tiles.
import type { Feature, FeatureCollection, Geometry, Point, Polygon, Position } from "geojson";
import type { GeoJSONSource } from "maplibre-gl";
import polylabel from "polylabel";
import type { App } from "./app";
import { COLORS, FONT, LABEL_ZOOMS, LEVEL_LAYERS, LEVEL_OF, type LevelLayer } from "./style";

function ringArea(ring: Position[]): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
  return Math.abs(a / 2);
}

function polygonsOf(f: { geometry: Geometry }): Polygon[] {
  const g = f.geometry;
  if (g.type === "Polygon") return [g];
  if (g.type === "MultiPolygon") return g.coordinates.map((c) => ({ type: "Polygon", coordinates: c }));
  return [];
}

export function labelPoints(app: App): FeatureCollection<Point> {
  const map = app.map;
  const zoom = map.getZoom();
  const out: Array<Feature<Point>> = [];
  for (const name of LEVEL_LAYERS) {
    const info = app.tiles[name];
    const [minz, maxz] = LABEL_ZOOMS[name];
    if (!info || !map.getSource(name) || zoom < minz || zoom >= maxz) continue;
    const best = new Map<number, { area: number; poly: Polygon; name: string }>();
    for (const f of map.querySourceFeatures(name, { sourceLayer: info.sourceLayer })) {
      if (f.id === undefined || !f.properties.name) continue;
      const id = Number(f.id);
      for (const poly of polygonsOf(f)) {
        const area = ringArea(poly.coordinates[0]);
        const cur = best.get(id);
        if (!cur || area > cur.area) best.set(id, { area, poly, name: String(f.properties.name) });
      }
    }
    for (const [id, b] of best) {
      const span = Math.sqrt(b.area) || 1e-6;
      const p = polylabel(b.poly.coordinates, span / 50);
      out.push({ type: "Feature", id, properties: { name: b.name, layer: name, level: LEVEL_OF[name as LevelLayer] }, geometry: { type: "Point", coordinates: [p[0], p[1]] } });
    }
  }
  return { type: "FeatureCollection", features: out };
}

export function setupLabels(app: App): void {
  const map = app.map;
  map.addSource("labels", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  const colour = ["match", ["get", "layer"], ...LEVEL_LAYERS.flatMap((n) => [n, COLORS[n]]), "#333"];
  map.addLayer({
    id: "unit-labels",
    type: "symbol",
    source: "labels",
    layout: {
      "text-field": ["get", "name"],
      "text-font": FONT,
      "text-size": ["match", ["get", "level"], 1, 16, 2, 14, 3, 13, 4, 12, 11],
      "text-max-width": 8,
      "text-padding": 4,
      "symbol-sort-key": ["get", "level"],
    },
    paint: { "text-color": colour as never, "text-halo-color": "#ffffff", "text-halo-width": 1.5 },
  });
  let timer: number | undefined;
  const refresh = (): void => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => (map.getSource("labels") as GeoJSONSource | undefined)?.setData(labelPoints(app)), 120);
  };
  map.on("moveend", refresh);
  map.on("sourcedata", (e) => {
    if (e.isSourceLoaded && e.sourceId !== "labels" && (LEVEL_LAYERS as readonly string[]).includes(e.sourceId)) refresh();
  });
  refresh();
}
