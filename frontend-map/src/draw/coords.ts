// Coordinates as Terra Draw accepts them. The API sends 15 decimals; Terra Draw refuses a feature
// with more than `coordinatePrecision` (at most 9) decimals ("excessive precision"), and so would
// refuse the unit being reshaped and every reference outline. Every coordinate that enters Terra
// Draw goes through the same rounding: a vertex shared by the unit and its neighbour (identical in
// the database) stays identical after rounding, so nothing that was joined comes apart. 1e-9° is
// about 0.1 mm; the server snaps every vertex back onto its neighbours' and parent's and its
// result is what gets stored.
import type { Geometry, LineString, MultiPolygon, Polygon, Position } from "geojson";

export const PRECISION = 9;
const SCALE = 10 ** PRECISION;

export function round(v: number): number {
  // An integer divided by 1e9 is the double nearest to that decimal, whose shortest printed form
  // has at most 9 decimals: exactly what Terra Draw's precision check counts.
  return Math.round(v * SCALE) / SCALE;
}

export function roundPosition(p: Position): Position {
  return [round(p[0]), round(p[1])];
}

export function samePosition(a: Position, b: Position): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/** A ring rounded, without the repeats rounding can create, closed; null if fewer than 3 corners remain. */
export function roundRing(ring: Position[]): Position[] | null {
  const out: Position[] = [];
  for (const p of ring) {
    const r = roundPosition(p);
    if (!out.length || !samePosition(out[out.length - 1], r)) out.push(r);
  }
  if (out.length > 1 && samePosition(out[0], out[out.length - 1])) out.pop();
  if (out.length < 3) return null;
  out.push(out[0]);
  return out;
}

/** A line rounded, without repeats; null if fewer than 2 points remain. */
export function roundLine(line: Position[]): Position[] | null {
  const out: Position[] = [];
  for (const p of line) {
    const r = roundPosition(p);
    if (!out.length || !samePosition(out[out.length - 1], r)) out.push(r);
  }
  return out.length >= 2 ? out : null;
}

/** Polygons of a (Multi)Polygon: Terra Draw stores single polygons only. */
export function polygonsOf(g: Geometry | null | undefined): Polygon[] {
  if (!g) return [];
  if (g.type === "Polygon") return [g];
  if (g.type === "MultiPolygon") return g.coordinates.map((c) => ({ type: "Polygon", coordinates: c }));
  return [];
}

/** Every ring (outer and holes) of a (Multi)Polygon. */
export function ringsOf(g: Geometry | null | undefined): Position[][] {
  return polygonsOf(g).flatMap((p) => p.coordinates);
}

export function ringArea(ring: Position[]): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
  return Math.abs(a / 2);
}

export function pointInRing(p: Position, ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * What Terra Draw can edit of a unit: the outer ring of its largest part. Terra Draw refuses holes
 * ("Feature has holes") and multi-part features, so the holes and the other parts are kept aside
 * (rounded the same way) and put back by `reassemble` — a reshape never drops them.
 */
export interface Editable {
  outer: Position[];
  holes: Position[][];
  others: Position[][][];
}

export function editableOf(g: Geometry | null | undefined): Editable | null {
  const parts = polygonsOf(g)
    .map((p) => p.coordinates.map((r) => roundRing(r)).filter((r): r is Position[] => r !== null))
    .filter((rings) => rings.length > 0)
    .sort((a, b) => ringArea(b[0]) - ringArea(a[0]));
  if (!parts.length) return null;
  const [main, ...others] = parts;
  return { outer: main[0], holes: main.slice(1), others };
}

/** The edited outer ring with the unit's holes (those still inside it) and its other parts. */
export function reassemble(outer: Position[], kept: Editable | null): Polygon | MultiPolygon {
  const holes = (kept?.holes ?? []).filter((h) => h.every((p) => pointInRing(p, outer)));
  const main: Position[][] = [outer, ...holes];
  const others = kept?.others ?? [];
  return others.length ? { type: "MultiPolygon", coordinates: [main, ...others] } : { type: "Polygon", coordinates: main };
}

/** Every ring of some units as lines (what the reference outlines and the snapper use). */
export function outlinesOf(geoms: Array<Geometry | null | undefined>): LineString[] {
  const out: LineString[] = [];
  for (const g of geoms) {
    for (const ring of ringsOf(g)) {
      const r = roundRing(ring);
      if (r) out.push({ type: "LineString", coordinates: r });
    }
  }
  return out;
}

export function bboxOf(g: Geometry | null | undefined): [number, number, number, number] | null {
  let minx = Infinity;
  let miny = Infinity;
  let maxx = -Infinity;
  let maxy = -Infinity;
  for (const r of ringsOf(g)) {
    for (const [x, y] of r) {
      minx = Math.min(minx, x);
      miny = Math.min(miny, y);
      maxx = Math.max(maxx, x);
      maxy = Math.max(maxy, y);
    }
  }
  return Number.isFinite(minx) ? [minx, miny, maxx, maxy] : null;
}

/** Do two units share an edge (two or more identical vertices after rounding)? The server nodes
 *  shared edges, so neighbours carry the same vertices along them. */
export function sharesEdge(a: Geometry | null | undefined, b: Geometry | null | undefined): boolean {
  const seen = new Set<string>();
  for (const r of ringsOf(a)) for (const p of r) seen.add(roundPosition(p).join(","));
  let n = 0;
  const counted = new Set<string>();
  for (const r of ringsOf(b)) {
    for (const p of r) {
      const k = roundPosition(p).join(",");
      if (seen.has(k) && !counted.has(k)) {
        counted.add(k);
        if (++n >= 2) return true;
      }
    }
  }
  return false;
}
