// A small date field with a month calendar, in the UI's language. The browser's own
// <input type="date"> follows the browser's locale, not the page's: in an English browser a
// Chinese page shows "mm/dd/yyyy". Dates here are written year-month-day (2026-05-01) and the
// calendar's month and weekday names come from i18n. Typing works too: 2026-5-1, 2026/5/1 and
// 2026年5月1日 are all read.
import { getLang, t } from "./i18n";
import { h } from "./ui";

const pad = (n: number): string => String(n).padStart(2, "0");
export const isoDate = (d: Date): string => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** "2026-5-1", "2026/05/01", "2026年5月1日" → "2026-05-01"; null if it is not a real date. */
export function parseDate(text: string): string | null {
  const m = text.trim().match(/^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d);
  return date.getFullYear() === y && date.getMonth() === mo - 1 && date.getDate() === d ? isoDate(date) : null;
}

export function datePicker(id: string, onChange: (iso: string) => void): HTMLElement {
  const input = h("input", { type: "text", id, inputmode: "numeric", autocomplete: "off", placeholder: t("datePlaceholder"), class: "date-input" });
  const popup = h("div", { class: "datepicker-popup", id: `${id}-calendar`, hidden: true, role: "dialog" });
  let shown = new Date();
  shown.setDate(1);

  const set = (iso: string): void => {
    input.value = iso;
    popup.hidden = true;
    onChange(iso);
  };

  const render = (): void => {
    const y = shown.getFullYear();
    const m = shown.getMonth();
    const title = getLang() === "zh" ? `${y}年${m + 1}月` : shown.toLocaleDateString("en", { year: "numeric", month: "long" });
    const first = new Date(y, m, 1).getDay();
    const days = new Date(y, m + 1, 0).getDate();
    const today = isoDate(new Date());
    const cells: HTMLElement[] = [];
    for (let i = 0; i < first; i++) cells.push(h("span", { class: "blank" }));
    for (let d = 1; d <= days; d++) {
      const iso = `${y}-${pad(m + 1)}-${pad(d)}`;
      cells.push(
        h("button", { type: "button", class: `day${iso === today ? " today" : ""}${iso === input.value ? " chosen" : ""}`, "data-date": iso, onclick: () => set(iso) }, String(d)),
      );
    }
    const move = (delta: number): void => {
      shown = new Date(y, m + delta, 1);
      render();
    };
    popup.replaceChildren(
      h(
        "div",
        { class: "head" },
        h("button", { type: "button", class: "prev", "aria-label": t("prevMonth"), onclick: () => move(-1) }, "‹"),
        h("b", { class: "month" }, title),
        h("button", { type: "button", class: "next", "aria-label": t("nextMonth"), onclick: () => move(1) }, "›"),
      ),
      h("div", { class: "grid" }, ...t("weekdays").split(",").map((w) => h("span", { class: "wd" }, w)), ...cells),
      h("button", { type: "button", class: "link today-btn", onclick: () => set(today) }, t("today")),
    );
  };

  const open = h("button", { type: "button", class: "secondary datepicker-open", id: `${id}-open`, "aria-label": t("pickDate") }, t("pickDate"));
  open.addEventListener("click", () => {
    const iso = parseDate(input.value);
    shown = iso ? new Date(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, 1) : new Date(new Date().getFullYear(), new Date().getMonth(), 1);
    render();
    popup.hidden = !popup.hidden;
  });
  input.addEventListener("change", () => {
    const iso = parseDate(input.value);
    input.classList.toggle("invalid", !!input.value && !iso);
    if (iso) set(iso);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") popup.hidden = true;
  });
  return h("span", { class: "datepicker" }, input, open, popup);
}
