// The platform's JSON API: session cookie + CSRF header, and server errors turned into plain words.
import { t } from "./i18n";
import type { Feature, FeatureCollection, Geometry } from "geojson";

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

export function csrfToken(): string {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

/** Message for the user: the server's Chinese `detail` when it sent one, else a plain sentence. */
function messageFor(status: number, body: unknown): { code: string; message: string } {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    if (typeof b.detail === "string") return { code: String(b.code ?? status), message: b.detail };
    // DRF field errors: {"name": ["这个字段是必填项。"]}
    const parts: string[] = [];
    for (const [k, v] of Object.entries(b)) {
      if (Array.isArray(v)) parts.push(`${k}: ${v.join("；")}`);
      else if (typeof v === "string") parts.push(v);
    }
    if (parts.length) return { code: "invalid", message: parts.join("\n") };
  }
  if (status === 403 || status === 401) return { code: "forbidden", message: t("errorForbidden") };
  if (status === 404) return { code: "not_found", message: t("errorNotFound") };
  if (status >= 500) return { code: "server_error", message: t("errorServer") };
  return { code: String(status), message: t("errorGeneric") };
}

export async function api<T = unknown>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  // A FormData body (a file upload) goes as multipart: the browser sets its own Content-Type.
  const form = init.body instanceof FormData;
  if (method !== "GET") {
    headers["X-CSRFToken"] = csrfToken();
    if (!form) headers["Content-Type"] = "application/json";
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: init.body === undefined ? undefined : form ? (init.body as FormData) : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiError(0, "network", t("errorNetwork"));
  }
  if (res.status === 204) return undefined as T;
  let body: unknown;
  const text = await res.text();
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const { code, message } = messageFor(res.status, body);
    throw new ApiError(res.status, code, message);
  }
  return body as T;
}

// --- Types of the API's answers -----------------------------------------------------------------

export interface UnitRef {
  id: number;
  code: string;
  name: string;
  level: number;
  kind: string;
  path?: string;
}

export interface Me {
  id: number;
  username: string;
  display_name: string;
  role: string;
  login_type: string;
  unit: UnitRef | null;
  /** What this user may be offered (the server's core.roles): nobody sees an action they cannot take. */
  capabilities: Capabilities;
  population_enabled: boolean;
}

export interface Capabilities {
  resident: boolean;
  staff: boolean;
  write: boolean;
  review: boolean;
  reveal: boolean;
  /** May export boundaries and masked lists of people (audited). */
  export: boolean;
  export_full: boolean;
  unit_admin: boolean;
  population: boolean;
  /** May upload and retire units' seals (印章). */
  seals: boolean;
  /** Acts for the town's election guidance body (authorises an election's next step after a stop). */
  guide_elections?: boolean;
  /** Levels of the units this user may create (a village also draws buildings). */
  draw_levels: number[];
}

/** The level a user draws by default: the first below their unit, or null. */
export function drawLevel(me: Me): number | null {
  return me.capabilities.draw_levels[0] ?? null;
}

export interface UnitProps extends UnitRef {
  parent: number | null;
  area_m2: number | null;
  floors: number | null;
  height_m: number | null;
  building_use: string;
  boundary_version?: number;
}

export type UnitFeature = Feature<Geometry | null, UnitProps> & { id?: number | string };

export interface UnitCollection extends FeatureCollection<Geometry | null, UnitProps> {
  count?: number;
  next?: string | null;
}

export interface PreviewReport {
  area_current_m2?: number | null;
  area_before_m2: number;
  area_after_m2: number;
  vertices_moved: number;
  vertices_removed?: number;
  vertices_added?: number;
  snap_tolerance_m?: number;
  overlap_removed_m2: number;
  clipped_m2: number;
  gaps: Array<{ geometry: Geometry; area_m2: number }>;
  shared_with: number[];
  children_followed?: Array<{ id: number | null; name?: string }>;
  children_moved?: Array<{ id: number; code: string; name: string }>;
  split_into?: { id: number | null; code: string; name: string; area_m2: number };
  merged_from?: { id: number; code: string; name: string; area_m2: number };
}

export interface PreviewResult {
  geometry: Geometry;
  report: PreviewReport;
}

/** A split or merge (saved, or previewed as a rolled-back save). */
export interface RestructureResult {
  unit: UnitFeature;
  created?: UnitFeature;
  report: PreviewReport;
  preview?: boolean;
}

/** All features of a paginated GeoJSON list (follows "next"). */
export async function listUnits(query: Record<string, string | number>): Promise<UnitFeature[]> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  let url: string | null = `/api/units/?${qs}`;
  const out: UnitFeature[] = [];
  for (let i = 0; url && i < 50; i++) {
    const page: UnitCollection = await api<UnitCollection>(url);
    out.push(...(page.features as UnitFeature[]));
    url = page.next ? new URL(page.next, location.origin).pathname + new URL(page.next, location.origin).search : null;
  }
  return out;
}

export function unitId(f: UnitFeature): number {
  return Number(f.properties?.id ?? f.id);
}
