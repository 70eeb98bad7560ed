// Boundary drawing with Terra Draw. The parent's and the siblings' boundaries are loaded into Terra
// Draw as non-editable "reference" features so new vertices snap to their vertices and edges;
// every finished drawing or reshape is sent to the server's preview, which does the real snapping,
// clipping and overlap removal (the server is the authority, snapping here only helps the hand).
import { TerraDraw, TerraDrawPolygonMode, TerraDrawRenderMode, TerraDrawSelectMode, type GeoJSONStoreFeatures } from "terra-draw";
import { TerraDrawMapLibreGLAdapter } from "terra-draw-maplibre-gl-adapter";
import type { Feature, FeatureCollection, Geometry, Polygon, Position } from "geojson";
import type { GeoJSONSource } from "maplibre-gl";
import { api, type PreviewResult, type UnitFeature } from "./api";
import type { App } from "./app";

const SNAP = { toCoordinate: true, toLine: true, toFeature: { filter: (f: Feature) => f.properties?.mode === "reference", toCoordinate: true, toLine: true } };

export interface DrawSession {
  parentId: number;
  unitId: number | null; // null = a new unit
  featureId: string | number | null;
}

/** Polygons of a (Multi)Polygon, for Terra Draw, which stores single polygons only. */
export function polygonsOf(g: Geometry | null | undefined): Polygon[] {
  if (!g) return [];
  if (g.type === "Polygon") return [g];
  if (g.type === "MultiPolygon") return g.coordinates.map((c) => ({ type: "Polygon", coordinates: c }));
  return [];
}

function ringArea(ring: Position[]): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
  return Math.abs(a / 2);
}

export class Drawer {
  draw: TerraDraw;
  session: DrawSession | null = null;
  onGeometry: ((g: Polygon) => void) | null = null;

  constructor(private app: App) {
    this.draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map: app.map, coordinatePrecision: 9 }),
      modes: [
        new TerraDrawRenderMode({
          modeName: "reference",
          styles: { polygonFillOpacity: 0.05, polygonFillColor: "#2e75b6", polygonOutlineColor: "#2e75b6", polygonOutlineWidth: 2 },
        }),
        new TerraDrawPolygonMode({
          snapping: SNAP,
          pointerDistance: 14,
          styles: { fillColor: "#ff6a00", fillOpacity: 0.15, outlineColor: "#ff6a00", outlineWidth: 2 },
        }),
        new TerraDrawSelectMode({
          flags: {
            polygon: {
              feature: { draggable: false, coordinates: { draggable: true, midpoints: true, deletable: true, snappable: SNAP } },
            },
          },
        }),
      ],
    });
    this.draw.start();
    this.draw.on("finish", (id, ctx) => {
      if (!this.session) return;
      if (ctx.mode === "polygon") {
        this.session.featureId = id;
        this.draw.setMode("select");
        this.draw.selectFeature(id);
      }
      this.emitGeometry();
    });
    (window as unknown as Record<string, unknown>).__draw = this.draw;
  }

  private emitGeometry(): void {
    const id = this.session?.featureId;
    if (id === null || id === undefined) return;
    const f = this.draw.getSnapshotFeature(id);
    if (f && f.geometry.type === "Polygon") this.onGeometry?.(f.geometry as Polygon);
  }

  /** Load the parent and its other children as snapping references. */
  async begin(parent: UnitFeature, siblings: UnitFeature[], editing: UnitFeature | null): Promise<void> {
    this.end();
    document.body.classList.add("drawing");
    const refs: GeoJSONStoreFeatures[] = [];
    const add = (g: Geometry | null, unit: number): void => {
      for (const p of polygonsOf(g)) refs.push({ type: "Feature", geometry: p, properties: { mode: "reference", unit } } as GeoJSONStoreFeatures);
    };
    add(parent.geometry, Number(parent.properties!.id));
    for (const s of siblings) if (!editing || s.properties!.id !== editing.properties!.id) add(s.geometry, Number(s.properties!.id));
    this.draw.addFeatures(refs);
    this.session = { parentId: Number(parent.properties!.id), unitId: editing ? Number(editing.properties!.id) : null, featureId: null };
    if (editing) {
      // Terra Draw edits single polygons: a multi-part unit is reshaped by its largest part.
      const parts = polygonsOf(editing.geometry).sort((a, b) => ringArea(b.coordinates[0]) - ringArea(a.coordinates[0]));
      if (parts.length) {
        const [res] = this.draw.addFeatures([{ type: "Feature", geometry: parts[0], properties: { mode: "polygon" } } as GeoJSONStoreFeatures]);
        this.session.featureId = res.id ?? null;
        this.draw.setMode("select");
        if (res.id !== undefined) this.draw.selectFeature(res.id);
        this.emitGeometry();
      }
    } else {
      this.draw.setMode("polygon");
    }
  }

  currentGeometry(): Polygon | null {
    const id = this.session?.featureId;
    if (id === null || id === undefined) return null;
    const f = this.draw.getSnapshotFeature(id);
    return f && f.geometry.type === "Polygon" ? (f.geometry as Polygon) : null;
  }

  end(): void {
    this.session = null;
    document.body.classList.remove("drawing");
    this.draw.setMode("static");
    this.draw.clear();
    setOverlay(this.app, "preview", null);
    setOverlay(this.app, "gaps", null);
  }
}

/** A GeoJSON overlay (preview result, gaps, history versions, consistency items); null removes it. */
export function setOverlay(app: App, name: "preview" | "gaps" | "history-a" | "history-b" | "check", data: FeatureCollection | null): void {
  const map = app.map;
  const src = map.getSource(name) as GeoJSONSource | undefined;
  if (!data) {
    if (src) src.setData({ type: "FeatureCollection", features: [] });
    return;
  }
  if (src) {
    src.setData(data);
    return;
  }
  map.addSource(name, { type: "geojson", data });
  const color = { preview: "#1a9641", gaps: "#d7191c", "history-a": "#d7191c", "history-b": "#2c7bb6", check: "#d7191c" }[name];
  map.addLayer({ id: `${name}-fill`, type: "fill", source: name, paint: { "fill-color": color, "fill-opacity": name === "gaps" || name === "check" ? 0.45 : 0.2 } });
  map.addLayer({ id: `${name}-line`, type: "line", source: name, paint: { "line-color": color, "line-width": 2.5, "line-dasharray": name === "history-a" ? [2, 2] : [1, 0] } });
}

export async function preview(session: DrawSession, geometry: Polygon): Promise<PreviewResult> {
  return api<PreviewResult>("/api/boundaries/preview/", { method: "POST", body: { parent: session.parentId, unit: session.unitId, geometry } });
}
