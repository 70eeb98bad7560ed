// Boundary drawing with Terra Draw: a new unit (polygon), reshaping an existing one (dragging its
// vertices, adding some from the midpoints), and a cut line to split one in two. The parent's and
// the siblings' outlines are loaded into Terra Draw as non-editable "reference" lines, drawn on
// the map, and the snapper pulls vertices onto their vertices and edges while the hand moves.
// Each finished change goes to the server's preview, which does the real snapping, clipping and
// overlap removal: the server is the authority, snapping here only helps the hand.
import {
  TerraDraw,
  TerraDrawLineStringMode,
  TerraDrawPolygonMode,
  TerraDrawRenderMode,
  TerraDrawSelectMode,
  type GeoJSONStoreFeatures,
} from "terra-draw";
import { TerraDrawMapLibreGLAdapter } from "terra-draw-maplibre-gl-adapter";
import type { FeatureCollection, Geometry, LineString, Polygon, Position } from "geojson";
import type { GeoJSONSource } from "maplibre-gl";
import { api, unitId, type PreviewResult, type UnitFeature } from "../api";
import type { App } from "../app";
import { editableOf, outlinesOf, PRECISION, reassemble, roundLine, type Editable } from "./coords";
import { DrawError, drawError } from "./messages";
import { Snapper } from "./snap";

export type DrawKind = "new" | "reshape" | "split";

export interface DrawSession {
  kind: DrawKind;
  parentId: number;
  unitId: number | null; // null = a new unit
  version: number | null; // the unit's boundary_version when editing began (a stale save answers 409)
  featureId: string | number | null;
  kept: Editable | null; // holes and other parts of the unit, put back on every change
}

const ORANGE = "#ff6a00";

export class Drawer {
  draw: TerraDraw;
  snapper: Snapper;
  session: DrawSession | null = null;
  /** Called with the current geometry after every finished change (a polygon, or the cut line). */
  onChange: ((g: Geometry) => void) | null = null;

  constructor(private app: App) {
    this.snapper = new Snapper(app.map);
    const snapping = { toCustom: this.snapper.snap };
    this.draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map: app.map, coordinatePrecision: PRECISION }),
      modes: [
        new TerraDrawRenderMode({
          modeName: "reference",
          styles: { lineStringColor: "#2e75b6", lineStringWidth: 2, polygonFillOpacity: 0, polygonOutlineColor: "#2e75b6", polygonOutlineWidth: 2 },
        }),
        new TerraDrawPolygonMode({
          snapping,
          pointerDistance: 14,
          styles: { fillColor: ORANGE, fillOpacity: 0.15, outlineColor: ORANGE, outlineWidth: 2, snappingPointColor: "#ff2d00", snappingPointWidth: 6 },
        }),
        new TerraDrawLineStringMode({
          snapping,
          pointerDistance: 14,
          styles: { lineStringColor: "#d7191c", lineStringWidth: 3, snappingPointColor: "#ff2d00", snappingPointWidth: 6 },
        }),
        new TerraDrawSelectMode({
          pointerDistance: 16,
          // The outline being edited stays selected (a stray click must not end the editing), and
          // Delete never removes the whole outline.
          allowManualDeselection: false,
          keyEvents: { deselect: null, delete: null, rotate: null, scale: null },
          flags: {
            polygon: { feature: { draggable: false, coordinates: { draggable: true, midpoints: true, deletable: true, snappable: snapping } } },
            linestring: { feature: { draggable: false, coordinates: { draggable: true, midpoints: true, deletable: true, snappable: snapping } } },
          },
          styles: { selectedPolygonColor: ORANGE, selectedPolygonFillOpacity: 0.2, selectedPolygonOutlineColor: ORANGE, selectedLineStringColor: "#d7191c", selectedLineStringWidth: 3, selectionPointColor: ORANGE, selectionPointWidth: 5, midPointColor: "#ffffff", midPointOutlineColor: ORANGE },
        }),
      ],
    });
    this.draw.start();
    this.draw.on("finish", (id, ctx) => {
      this.snapper.clear();
      if (!this.session) return;
      if (ctx.mode === "polygon" || ctx.mode === "linestring") {
        this.session.featureId = id;
        this.select(id);
      }
      this.emit();
    });
    (window as unknown as Record<string, unknown>).__draw = this.draw;
    (window as unknown as Record<string, unknown>).__drawer = this;
  }

  private select(id: string | number): void {
    this.draw.setMode("select");
    try {
      this.draw.selectFeature(id);
    } catch (err) {
      throw drawError(err);
    }
  }

  private emit(): void {
    const g = this.current();
    if (g) this.onChange?.(g);
  }

  /** Load the references: the parent's outline and its children's (less the unit being reshaped). */
  private loadReferences(parent: UnitFeature, siblings: UnitFeature[], except: number | null, extra: Position[][][] = []): void {
    const geoms: Array<Geometry | null> = [parent.geometry, ...siblings.filter((s) => unitId(s) !== except).map((s) => s.geometry)];
    const lines = outlinesOf(geoms);
    for (const part of extra) for (const ring of part) lines.push({ type: "LineString", coordinates: ring });
    this.snapper.setLines(lines);
    const feats = lines.map((l) => ({ type: "Feature", geometry: l, properties: { mode: "reference" } }) as GeoJSONStoreFeatures);
    const results = this.draw.addFeatures(feats);
    const refused = results.filter((r) => !r.valid);
    // A refused outline would silently leave the hand without its snapping targets: say so.
    if (refused.length) throw drawError(refused[0].reason ?? "");
  }

  private start(kind: DrawKind, parent: UnitFeature, unit: UnitFeature | null): void {
    this.end();
    document.body.classList.add("drawing");
    this.session = {
      kind,
      parentId: unitId(parent),
      unitId: unit ? unitId(unit) : null,
      version: unit?.properties?.boundary_version ?? null,
      featureId: null,
      kept: null,
    };
  }

  /** Draw a new unit inside ``parent``. */
  beginNew(parent: UnitFeature, siblings: UnitFeature[]): void {
    this.start("new", parent, null);
    try {
      this.loadReferences(parent, siblings, null);
      this.draw.setMode("polygon");
    } catch (err) {
      this.end();
      throw err instanceof DrawError ? err : drawError(err);
    }
  }

  /** Reshape ``unit``: its outline becomes editable; its holes and other parts are kept aside. */
  beginReshape(parent: UnitFeature, siblings: UnitFeature[], unit: UnitFeature): void {
    this.start("reshape", parent, unit);
    try {
      const kept = editableOf(unit.geometry);
      if (!kept) throw drawError("Feature has invalid coordinates");
      this.session!.kept = kept;
      this.loadReferences(parent, siblings, unitId(unit), kept.others);
      const [res] = this.draw.addFeatures([{ type: "Feature", geometry: { type: "Polygon", coordinates: [kept.outer] }, properties: { mode: "polygon" } } as GeoJSONStoreFeatures]);
      if (!res.valid || res.id === undefined) throw drawError(res.reason ?? "");
      this.session!.featureId = res.id;
      this.select(res.id);
    } catch (err) {
      this.end();
      throw err instanceof DrawError ? err : drawError(err);
    }
  }

  /** Draw a line across ``unit`` to cut it in two. Its own outline is a reference too, so the
   *  line's ends snap onto it. */
  beginSplit(parent: UnitFeature, siblings: UnitFeature[], unit: UnitFeature): void {
    this.start("split", parent, unit);
    try {
      this.loadReferences(parent, siblings, null);
      this.draw.setMode("linestring");
    } catch (err) {
      this.end();
      throw err instanceof DrawError ? err : drawError(err);
    }
  }

  /** What is drawn now: the unit's (reassembled) polygon, or the cut line; null if nothing yet. */
  current(): Polygon | LineString | Geometry | null {
    const id = this.session?.featureId;
    if (id === null || id === undefined) return null;
    const f = this.draw.getSnapshotFeature(id);
    if (!f) return null;
    if (f.geometry.type === "Polygon") return reassemble((f.geometry as Polygon).coordinates[0], this.session!.kept);
    if (f.geometry.type === "LineString") {
      const line = roundLine((f.geometry as LineString).coordinates);
      return line ? { type: "LineString", coordinates: line } : null;
    }
    return null;
  }

  end(): void {
    this.session = null;
    document.body.classList.remove("drawing");
    this.snapper.clear();
    this.snapper.setLines([]);
    this.draw.setMode("static");
    this.draw.clear();
    setOverlay(this.app, "preview", null);
    setOverlay(this.app, "preview-b", null);
    setOverlay(this.app, "gaps", null);
  }
}

export type OverlayName = "preview" | "preview-b" | "gaps" | "history-a" | "history-b" | "history-asof" | "check";

const OVERLAY_COLOUR: Record<OverlayName, string> = {
  preview: "#1a9641",
  "preview-b": "#7b3294",
  gaps: "#d7191c",
  "history-a": "#d7191c",
  "history-b": "#2c7bb6",
  "history-asof": "#3b5bdb",
  check: "#d7191c",
};

/** A GeoJSON overlay (preview result, gaps, history versions, consistency items); null empties it. */
export function setOverlay(app: App, name: OverlayName, data: FeatureCollection | null): void {
  const map = app.map;
  const src = map.getSource(name) as GeoJSONSource | undefined;
  const empty: FeatureCollection = { type: "FeatureCollection", features: [] };
  if (src) {
    src.setData(data ?? empty);
    return;
  }
  if (!data) return;
  map.addSource(name, { type: "geojson", data });
  const color = OVERLAY_COLOUR[name];
  const fill = name === "gaps" || name === "check" ? 0.45 : name === "history-asof" ? 0.04 : 0.2;
  map.addLayer({ id: `${name}-fill`, type: "fill", source: name, paint: { "fill-color": color, "fill-opacity": fill } });
  const dashed = name === "history-a" || name === "history-asof";
  map.addLayer({ id: `${name}-line`, type: "line", source: name, paint: { "line-color": color, "line-width": 2.5, "line-dasharray": dashed ? [2, 2] : [1, 0] } });
}

export function fc(...geoms: Array<Geometry | null | undefined>): FeatureCollection {
  return { type: "FeatureCollection", features: geoms.filter((g): g is Geometry => !!g).map((geometry) => ({ type: "Feature", properties: {}, geometry })) };
}

export async function preview(session: DrawSession, geometry: Geometry): Promise<PreviewResult> {
  return api<PreviewResult>("/api/boundaries/preview/", { method: "POST", body: { parent: session.parentId, unit: session.unitId, geometry } });
}
