// Snapping in the hand, to the reference outlines (the parent's and the siblings' boundaries).
//
// Terra Draw's own snapping (`toCoordinate`, `toLine`, `toFeature`) takes whichever candidate is
// nearest, and the nearest point of an edge is never farther than the edge's end vertex, so a
// vertex dropped near a corner lands on an edge a hair beside it. Here a reference VERTEX within
// VERTEX_PX pixels wins; otherwise the nearest point of a reference EDGE within EDGE_PX pixels.
// It is given to Terra Draw as its `toCustom` snapping, so it applies while drawing a new outline,
// while dragging a vertex of an existing one and while drawing a cut line; the target is shown on
// the map (a filled dot on a vertex, a ring on an edge) as the pointer moves.
import type { GeoJSONSource, Map as MlMap } from "maplibre-gl";
import type { Feature, LineString, Point, Position } from "geojson";
import type { SnappableContext, TerraDrawMouseEvent } from "terra-draw";
import { round } from "./coords";

export const VERTEX_PX = 14;
export const EDGE_PX = 10;
const SOURCE = "snap-target";

export interface SnapTarget {
  coordinate: Position;
  kind: "vertex" | "edge";
}

export class Snapper {
  // Flat arrays: x0, y0, x1, y1 per segment and x, y per vertex (a big parent has thousands).
  private segs = new Float64Array(0);
  private verts = new Float64Array(0);
  last: SnapTarget | null = null;
  enabled = true;

  constructor(private map: MlMap) {}

  setLines(lines: LineString[]): void {
    const segs: number[] = [];
    const verts: number[] = [];
    for (const l of lines) {
      const c = l.coordinates;
      for (let i = 0; i < c.length; i++) {
        verts.push(c[i][0], c[i][1]);
        if (i + 1 < c.length) segs.push(c[i][0], c[i][1], c[i + 1][0], c[i + 1][1]);
      }
    }
    this.segs = Float64Array.from(segs);
    this.verts = Float64Array.from(verts);
  }

  /** Terra Draw's `toCustom` hook: the snapped position for this pointer event, or undefined. */
  snap = (event: TerraDrawMouseEvent, ctx: SnappableContext): Position | undefined => {
    const target = this.enabled ? this.find(event.containerX, event.containerY, ctx) : null;
    this.show(target);
    return target?.coordinate;
  };

  /** The target for a pointer at (x, y) container pixels. */
  find(x: number, y: number, ctx: Pick<SnappableContext, "project" | "unproject">): SnapTarget | null {
    // Geographic window around the pointer: only references inside it are measured in pixels.
    const tol = Math.max(VERTEX_PX, EDGE_PX) + 2;
    const corners = [ctx.unproject(x - tol, y - tol), ctx.unproject(x + tol, y - tol), ctx.unproject(x + tol, y + tol), ctx.unproject(x - tol, y + tol)];
    const minx = Math.min(...corners.map((c) => c.lng));
    const maxx = Math.max(...corners.map((c) => c.lng));
    const miny = Math.min(...corners.map((c) => c.lat));
    const maxy = Math.max(...corners.map((c) => c.lat));

    let best: SnapTarget | null = null;
    let bestD = VERTEX_PX;
    const v = this.verts;
    for (let i = 0; i < v.length; i += 2) {
      const lng = v[i];
      const lat = v[i + 1];
      if (lng < minx || lng > maxx || lat < miny || lat > maxy) continue;
      const p = ctx.project(lng, lat);
      const d = Math.hypot(p.x - x, p.y - y);
      if (d < bestD) {
        bestD = d;
        best = { coordinate: [lng, lat], kind: "vertex" };
      }
    }
    if (best) return best;

    bestD = EDGE_PX;
    const s = this.segs;
    for (let i = 0; i < s.length; i += 4) {
      const [x0, y0, x1, y1] = [s[i], s[i + 1], s[i + 2], s[i + 3]];
      if (Math.max(x0, x1) < minx || Math.min(x0, x1) > maxx || Math.max(y0, y1) < miny || Math.min(y0, y1) > maxy) continue;
      const a = ctx.project(x0, y0);
      const b = ctx.project(x1, y1);
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const len2 = dx * dx + dy * dy;
      if (len2 === 0) continue;
      const t = Math.min(1, Math.max(0, ((x - a.x) * dx + (y - a.y) * dy) / len2));
      const d = Math.hypot(a.x + t * dx - x, a.y + t * dy - y);
      if (d < bestD) {
        bestD = d;
        // The point at the same fraction of the edge in longitude/latitude: on the edge as the
        // server sees it (straight in EPSG:4490), then rounded like every coordinate Terra Draw holds.
        best = { coordinate: [round(x0 + t * (x1 - x0)), round(y0 + t * (y1 - y0))], kind: "edge" };
      }
    }
    return best;
  }

  /** Show (or hide, with null) the snap target on the map. */
  show(target: SnapTarget | null): void {
    this.last = target;
    const features: Array<Feature<Point>> = target
      ? [{ type: "Feature", properties: { kind: target.kind }, geometry: { type: "Point", coordinates: target.coordinate } }]
      : [];
    const data = { type: "FeatureCollection" as const, features };
    const src = this.map.getSource(SOURCE) as GeoJSONSource | undefined;
    if (src) {
      src.setData(data);
      return;
    }
    if (!target) return;
    this.map.addSource(SOURCE, { type: "geojson", data });
    this.map.addLayer({
      id: SOURCE,
      type: "circle",
      source: SOURCE,
      paint: {
        "circle-radius": ["match", ["get", "kind"], "vertex", 7, 9],
        "circle-color": "#ff2d00",
        "circle-opacity": ["match", ["get", "kind"], "vertex", 0.9, 0],
        "circle-stroke-color": ["match", ["get", "kind"], "vertex", "#ffffff", "#ff2d00"],
        "circle-stroke-width": 2.5,
      },
    });
  }

  clear(): void {
    this.show(null);
  }
}
