// A building's entrances, floors and houses with their residents (masked by the server as the
// role requires); placing a resident in a house; in 3D the building can be shown floor by floor.
import type { Feature, FeatureCollection, Polygon, MultiPolygon } from "geojson";
import { api, ApiError } from "../api";
import type { App } from "../app";
import { t } from "../i18n";
import { canSeePeople, searchPeople, type Person } from "../people";
import { form, h, showError, toast } from "../ui";
import type { Panel } from "./index";
import { openPerson } from "../population/card";
import { settle } from "../population/place";
import type { PersonRow } from "../population/common";

export interface House {
  id: number;
  entrance: string;
  floor: number;
  room: string;
  area_m2?: number | null;
  residents?: Person[];
}

// Fallback when the code table cannot be read (population.codes.HouseRelation).
let relations: Array<[string, string]> = [
  ["owner", "产权人"],
  ["family", "家庭成员"],
  ["tenant", "租户"],
  ["borrower", "借住"],
  ["collective", "集体户"],
  ["other", "其他"],
];
let relationsLoaded = false;

async function loadRelations(): Promise<void> {
  if (relationsLoaded) return;
  const codes = await api<{ house_relation?: Array<{ code: string; label: string }> }>("/api/population/codes/").catch(() => null);
  if (codes?.house_relation?.length) relations = codes.house_relation.map((c) => [c.code, c.label]);
  relationsLoaded = true;
}

export async function loadHouses(app: App, buildingId: number): Promise<{ houses: House[]; withPeople: boolean }> {
  if (canSeePeople(app.me)) {
    try {
      const res = await api<House[] | { results?: House[]; houses?: House[] }>(`/api/population/buildings/${buildingId}/houses/`);
      return { houses: Array.isArray(res) ? res : (res.results ?? res.houses ?? []), withPeople: true };
    } catch (err) {
      if (!(err instanceof ApiError) || (err.status !== 403 && err.status !== 404)) throw err;
    }
  }
  // Residents see the building's outline and facts only: no request they would be refused.
  if (!app.me.capabilities.staff) return { houses: [], withPeople: false };
  try {
    const res = await api<House[] | { results?: House[] }>(`/api/houses/?building=${buildingId}`);
    return { houses: Array.isArray(res) ? res : (res.results ?? []), withPeople: false };
  } catch (err) {
    // Roles without access to dwellings (residents) see the building's outline and facts only.
    if (err instanceof ApiError && err.status === 403) return { houses: [], withPeople: false };
    throw err;
  }
}

function floorsGeoJSON(app: App, houses: House[]): FeatureCollection | null {
  const f = app.selection?.feature;
  if (!f?.geometry || (f.geometry.type !== "Polygon" && f.geometry.type !== "MultiPolygon")) return null;
  const p = f.properties!;
  const floors = p.floors ?? Math.max(1, ...houses.map((x) => x.floor));
  const storey = (p.height_m ?? floors * 3) / floors;
  const occupied = new Set(houses.filter((x) => (x.residents ?? []).length).map((x) => x.floor));
  const features: Feature[] = [];
  for (let i = 0; i < floors; i++) {
    features.push({
      type: "Feature",
      properties: { floor: i + 1, base: i * storey, top: (i + 1) * storey - 0.4, occupied: occupied.has(i + 1) },
      geometry: f.geometry as Polygon | MultiPolygon,
    });
  }
  return { type: "FeatureCollection", features };
}

function showFloors(app: App, houses: House[]): void {
  const map = app.map;
  const data = floorsGeoJSON(app, houses);
  if (!data) return;
  if (map.getSource("floors")) (map.getSource("floors") as unknown as { setData: (d: FeatureCollection) => void }).setData(data);
  else {
    map.addSource("floors", { type: "geojson", data });
    map.addLayer({
      id: "floors-3d",
      type: "fill-extrusion",
      source: "floors",
      paint: {
        "fill-extrusion-base": ["get", "base"],
        "fill-extrusion-height": ["get", "top"],
        "fill-extrusion-color": ["case", ["get", "occupied"], "#e07b00", "#ffd68a"],
        "fill-extrusion-opacity": 0.95,
      },
    });
  }
  // Hide the solid block of this building while its floors are shown.
  map.setFilter("building-extrusion", ["!=", ["id"], app.selection!.id]);
}

export function hideFloors(app: App): void {
  if (app.map.getLayer("floors-3d")) app.map.removeLayer("floors-3d");
  if (app.map.getSource("floors")) app.map.removeSource("floors");
  if (app.map.getLayer("building-extrusion")) app.map.setFilter("building-extrusion", null);
}

export const buildingPanel: Panel = {
  id: "building",
  label: "tabBuilding",
  visible: () => true,
  render(app, el) {
    const body = h("div", { class: "building" });
    el.append(body);
    const draw = async (): Promise<void> => {
      const sel = app.selection;
      if (!sel || sel.level !== 5) {
        hideFloors(app);
        body.replaceChildren(h("p", { class: "muted" }, t("clickBuilding")));
        return;
      }
      body.replaceChildren(h("p", { class: "muted" }, t("loading")));
      try {
        const { houses, withPeople } = await loadHouses(app, sel.id);
        if (app.selection?.id !== sel.id) return;
        const p = sel.feature?.properties;
        const head = h("h3", {}, p?.name ?? `#${sel.id}`, h("small", {}, p ? ` ${t("floorsCount", { n: String(p.floors ?? "–") })} · ${p.height_m ?? "–"} m` : ""));
        const parts: HTMLElement[] = [head];
        if (!withPeople) parts.push(h("p", { class: "muted notice" }, t("noPopulation")));
        if (app.is3d && sel.feature) parts.push(h("button", { class: "secondary", id: "btn-floors", onclick: () => showFloors(app, houses) }, t("floorsView")));
        const entrances = [...new Set(houses.map((x) => x.entrance))].sort();
        for (const ent of entrances) {
          const inEnt = houses.filter((x) => x.entrance === ent);
          const floors = [...new Set(inEnt.map((x) => x.floor))].sort((a, b) => b - a);
          parts.push(h("h4", {}, t("entranceLabel", { n: ent })));
          const table = h("div", { class: "floors" });
          for (const fl of floors) {
            const rooms = inEnt.filter((x) => x.floor === fl);
            table.append(
              h(
                "div",
                { class: "floor-row" },
                h("span", { class: "floor-no" }, t("floorLabel", { n: String(fl) })),
                ...rooms.map((r) =>
                  h(
                    "div",
                    { class: `house ${(r.residents ?? []).length ? "occupied" : "vacant"}`, "data-house-id": r.id },
                    h("b", {}, r.room),
                    ...(withPeople
                      ? (r.residents ?? []).length
                        ? (r.residents ?? []).map((pp) => residentRow(app, pp, () => void draw()))
                        : [h("div", { class: "muted" }, t("empty"))]
                      : []),
                  ),
                ),
              ),
            );
          }
          parts.push(table);
        }
        if (withPeople && app.me.capabilities.write && houses.length) await loadRelations();
        if (withPeople && app.me.capabilities.write && houses.length) parts.push(placeForm(houses, p?.name ?? "", () => void draw()));
        body.replaceChildren(...parts);
        if (app.focusPerson !== null) {
          // The person chosen in the search box: marked in their house and scrolled into view.
          const row = body.querySelector<HTMLElement>(`.resident[data-person-id='${app.focusPerson}']`);
          row?.classList.add("found");
          row?.closest(".house")?.classList.add("found");
          row?.scrollIntoView({ block: "center" });
          app.focusPerson = null;
        }
      } catch (err) {
        // The outline and the floor view do not depend on the dwellings: keep them available.
        body.replaceChildren(h("h3", {}, sel.feature?.properties?.name ?? `#${sel.id}`), h("p", { class: "error" }, (err as Error).message));
        if (app.is3d && sel.feature) body.append(h("button", { class: "secondary", id: "btn-floors", onclick: () => showFloors(app, []) }, t("floorsView")));
      }
    };
    app.on("select", () => void draw(), body);
    app.on("mode", () => void draw(), body);
    void draw();
  },
};

/** A resident, masked; "完整" asks for a reason and shows the full record (audited by the server). */
function residentRow(app: App, p: Person, changed: () => void): HTMLElement {
  const small = h("small", {}, ` ${p.id_number ?? ""}`);
  // The name opens the person's card (their record, history and the errands on them).
  const name = h("button", { class: "link person-name", onclick: () => void openPerson(app, p.id, changed).catch(showError) }, p.name);
  if (!app.me.capabilities.reveal) return h("div", { class: "resident", "data-person-id": p.id }, name, small);
  const reveal = h("button", {
    class: "link reveal",
    title: t("reveal"),
    onclick: async () => {
      const v = await form(`${t("reveal")}：${p.name}`, [{ name: "reason", label: t("revealReason"), type: "textarea", required: true }]);
      if (!v) return;
      try {
        const full = await api<{ id_number: string; phone: string | null }>(`/api/population/people/${p.id}/reveal/`, { method: "POST", body: { reason: v.reason } });
        small.textContent = ` ${full.id_number} ${full.phone ?? ""}`;
        reveal.remove();
      } catch (err) {
        showError(err);
      }
    },
  }, t("revealShort"));
  return h("div", { class: "resident", "data-person-id": p.id }, name, small, reveal);
}

function placeForm(houses: House[], buildingName: string, done: () => void): HTMLElement {
  let found: Person[] = [];
  const q = h("input", { type: "search", id: "place-search", placeholder: t("searchPool") });
  const results = h("select", { id: "place-person", size: 4 });
  const house = h(
    "select",
    { id: "place-house" },
    ...houses.map((x) => h("option", { value: x.id }, t("houseLabel", { e: x.entrance, f: String(x.floor), r: x.room }))),
  );
  const relation = h("select", { id: "place-relation" }, ...relations.map(([v, l]) => h("option", { value: v }, l)));
  let timer: number | undefined;
  q.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      try {
        const people = await searchPeople({ q: q.value.trim() });
        found = people;
        results.replaceChildren(...people.slice(0, 30).map((p) => h("option", { value: p.id }, `${p.name} ${p.id_number ?? ""}`)));
      } catch (err) {
        showError(err);
      }
    }, 250);
  });
  const submit = h("button", {
    id: "place-submit",
    onclick: async () => {
      if (!results.value) return;
      try {
        // Someone who lives elsewhere: warned, asked a reason, offered their household (安置).
        const person = found.find((x) => String(x.id) === results.value) as unknown as PersonRow | undefined;
        if (person?.residence && String(person.residence.house.id) !== house.value) {
          const options = houses.map((x) => [String(x.id), t("houseLabel", { e: x.entrance, f: String(x.floor), r: x.room })] as [string, string]);
          if (await settle(person, options, buildingName, house.value)) done();
          return;
        }
        await api(`/api/population/people/${results.value}/place/`, { method: "POST", body: { house: Number(house.value), relation: relation.value } });
        toast(t("placed"));
        done();
      } catch (err) {
        showError(err);
      }
    },
  }, t("place"));
  return h(
    "fieldset",
    { class: "place" },
    h("legend", {}, t("placeResident")),
    q,
    results,
    h("label", {}, t("chooseHouse"), house),
    h("label", {}, t("relation"), relation),
    submit,
  );
}
