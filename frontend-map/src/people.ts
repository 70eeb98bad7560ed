// Person records from the population API (masked by the server as the role requires).
import { api, type Me } from "./api";

export interface Person {
  id: number;
  name: string;
  id_number?: string;
  phone?: string;
  gender?: string;
  house?: number | { id: number; building?: number | { id: number } } | null;
  building?: number | { id: number; name?: string } | null;
  building_id?: number | null;
  relation?: string;
  residence?: { house?: { id: number; label?: string }; building?: { id: number; name?: string } } | null;
  tags?: string[];
  [k: string]: unknown;
}

export async function searchPeople(params: Record<string, string | number>): Promise<Person[]> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const res = await api<Person[] | { results?: Person[] }>(`/api/population/people/?${qs}`);
  return Array.isArray(res) ? res : (res.results ?? []);
}

/** The building a person lives in, whatever shape the record gives it. */
export function buildingOf(p: Person): number | null {
  if (p.residence?.building) return p.residence.building.id;
  if (typeof p.building === "number") return p.building;
  if (p.building && typeof p.building === "object") return p.building.id;
  if (typeof p.building_id === "number") return p.building_id;
  if (p.house && typeof p.house === "object" && p.house.building !== undefined) {
    const b = p.house.building;
    return typeof b === "number" ? b : b.id;
  }
  return null;
}

export function canSeePeople(me: Me): boolean {
  return me.population_enabled && me.capabilities.population;
}
