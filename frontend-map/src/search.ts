// Search box: units by name or code, and people for roles that may see them.
import { api, unitId, type UnitCollection } from "./api";
import type { App } from "./app";
import { levelName, t } from "./i18n";
import { buildingOf, canSeePeople, searchPeople, type Person } from "./people";
import { h, showError } from "./ui";

export function setupSearch(app: App): void {
  const input = document.getElementById("search") as HTMLInputElement;
  const out = document.getElementById("search-results") as HTMLUListElement;
  let timer: number | undefined;
  let token = 0;
  const run = async (): Promise<void> => {
    const q = input.value.trim();
    const mine = ++token;
    if (q.length < 1) {
      out.hidden = true;
      return;
    }
    const [units, people] = await Promise.all([
      // A resident ID number never goes into a URL (access logs): it is not a unit code anyway.
      isIdNumber(q) ? Promise.resolve(null) : api<UnitCollection>(`/api/units/?q=${encodeURIComponent(q)}&geometry=false`).catch(() => null),
      findPeople(app, q),
    ]);
    if (mine !== token) return;
    const items: HTMLElement[] = [];
    const feats = (units?.features ?? []).slice(0, 12);
    if (feats.length) items.push(h("li", { class: "group" }, t("searchUnits")));
    for (const f of feats) {
      const p = f.properties!;
      items.push(
        h(
          "li",
          { class: "result unit", "data-unit-id": unitId(f) },
          h("button", { class: "link", onclick: () => choose(() => app.select(unitId(f), p.level, { fly: true })) }, h("span", { class: `badge l${p.level}` }, levelName(p.level)), ` ${p.name}`, h("small", {}, ` ${p.code}`)),
        ),
      );
    }
    if (people.length) items.push(h("li", { class: "group" }, t("searchPeople")));
    for (const person of people.slice(0, 10)) {
      const b = buildingOf(person);
      items.push(
        h(
          "li",
          { class: "result person", "data-person-id": person.id },
          h(
            "button",
            { class: "link", disabled: b === null, onclick: () => choose(() => goToBuilding(app, b!, person.id)) },
            `${person.name} `,
            h("small", {}, [person.id_number, person.phone].filter(Boolean).join(" · ")),
          ),
        ),
      );
    }
    if (!items.length) items.push(h("li", { class: "muted" }, t("noResults")));
    out.replaceChildren(...items);
    out.hidden = false;
  };
  const choose = (fn: () => Promise<void>): void => {
    out.hidden = true;
    fn().catch(showError);
  };
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void run(), 250);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") out.hidden = true;
  });
  document.addEventListener("click", (ev) => {
    if (!(ev.target as HTMLElement).closest("#search-box")) out.hidden = true;
  });
}

const ID_NUMBER = /^\d{17}[\dXx]$/;
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** An 18-character resident ID number with a valid check character (GB 11643). An 18-digit building
 *  code passes only by chance (1 in 11) and is then searched as a person too. */
export function isIdNumber(q: string): boolean {
  if (!ID_NUMBER.test(q)) return false;
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(q[i]), 0);
  return "10X98765432"[sum % 11] === q[17].toUpperCase();
}

/** People for the search box: by name; by full ID number for roles that may confirm one (sent in a
 *  POST body, never in the URL). */
function findPeople(app: App, q: string): Promise<Person[]> {
  if (!canSeePeople(app.me)) return Promise.resolve([]);
  if (isIdNumber(q)) {
    if (!app.me.capabilities.reveal) return Promise.resolve([]);
    return api<{ results?: Person[] }>("/api/population/people/search/", { method: "POST", body: { id_number: q } })
      .then((r) => r.results ?? [])
      .catch(() => [] as Person[]);
  }
  return searchPeople({ q }).catch(() => [] as Person[]);
}

/** Fly to a building and open its panel; with ``personId`` that resident is highlighted there. */
export async function goToBuilding(app: App, buildingId: number, personId?: number): Promise<void> {
  app.focusPerson = personId ?? null;
  await app.select(buildingId, 5, { fly: true });
  (window as unknown as { __showPanel: (id: string) => void }).__showPanel("building");
}
