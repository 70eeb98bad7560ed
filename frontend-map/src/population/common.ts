// Shared pieces of the population screens: the language helper, the API's shapes, a modal form and
// the server's local time. The screens are the map client's 人口 tab; 民政易's staff side can mount
// the same functions later (they take an element and the signed-in user, nothing of the map).
import { api, type Me } from "../api";
import { kitDialog } from "../common/jobs";
import { getLang } from "../i18n";
import { h } from "../ui";
import "./population.css";

export const L = (zh: string, en: string): string => (getLang() === "en" ? en : zh);

/** The server's local time (Asia/Shanghai) as it wrote it, whatever the browser's time zone. */
export const when = (iso: string | null | undefined): string => (iso ? iso.slice(0, 16).replace("T", " ") : "–");

export interface Ref {
  id: number;
  code?: string;
  name: string;
}

export interface PersonRow {
  id: number;
  name: string;
  id_number: string;
  phone: string;
  sex_label: string;
  /** Whole years; null for roles that may not reveal (they get age_band only, docs/privacy.md). */
  age: number | null;
  age_band: string;
  ethnicity_label?: string;
  political_status_label?: string;
  hukou_code?: string;
  hukou_address?: string;
  pool: Ref | null;
  status: string;
  residence: { house: { id: number; label: string; floor: number }; building: Ref; neighbourhood?: Ref } | null;
  house_relation: string;
  house_relation_label: string;
  household: number | null;
  household_number: string | null;
  relation_to_head: string;
  relation_to_head_label: string;
  tags: string[];
  tag_labels: string[];
  added_by_community?: boolean;
}

export interface Page<T> {
  count: number;
  count_capped?: boolean;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface Transfer {
  id: number;
  person: { id: number; name: string; id_number: string; sex_label: string; age_band: string };
  from_pool: number;
  from_pool_name: string;
  to_pool: number;
  to_pool_name: string;
  status: string;
  status_label: string;
  reason: string;
  created_at: string;
  created_by_name: string;
  decided_at: string | null;
}

export interface Codes {
  ethnicity: Array<{ code: string; label: string }>;
  relation_to_head: Array<{ code: string; label: string }>;
  political_status: Array<{ code: string; label: string }>;
  tags: Array<{ code: string; label: string }>;
  house_relation: Array<{ code: string; label: string }>;
}

let codes: Promise<Codes> | null = null;
export function loadCodes(): Promise<Codes> {
  codes ??= api<Codes>("/api/population/codes/");
  return codes;
}

/** The pool a community clerk works in: their own community; above that, the one picked. */
export function ownPool(me: Me): Ref | null {
  return me.unit && me.unit.level === 3 ? { id: me.unit.id, code: me.unit.code, name: me.unit.name } : null;
}

export type FieldKind = "text" | "textarea" | "select" | "checkbox" | "number";

export interface FormField {
  name: string;
  label: string;
  kind?: FieldKind;
  options?: Array<[string, string]>;
  required?: boolean;
  value?: string;
  hint?: string;
  placeholder?: string;
}

/** A modal form in its own dialog; resolves the values (null on cancel). `check` may refuse with a
 *  message shown in the dialog, keeping what was typed. */
export function modalForm(
  id: string,
  title: string,
  fields: FormField[],
  opts: { intro?: HTMLElement | null; submit?: string; check?: (v: Record<string, string>) => string | null } = {},
): Promise<Record<string, string> | null> {
  const { dialog, body } = kitDialog(id, title);
  return new Promise((resolve) => {
    let done = false;
    const inputs: Record<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement> = {};
    const rows = fields.map((f) => {
      let el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
      if (f.kind === "textarea") el = h("textarea", { name: f.name, rows: 3, placeholder: f.placeholder });
      else if (f.kind === "select") el = h("select", { name: f.name }, ...(f.options ?? []).map(([v, l]) => h("option", { value: v }, l)));
      else if (f.kind === "checkbox") el = h("input", { type: "checkbox", name: f.name });
      else el = h("input", { type: f.kind === "number" ? "number" : "text", name: f.name, placeholder: f.placeholder, autocomplete: "off" });
      if (f.value !== undefined) {
        if (el instanceof HTMLInputElement && el.type === "checkbox") el.checked = f.value === "1";
        else el.value = f.value;
      }
      inputs[f.name] = el;
      const label = f.kind === "checkbox"
        ? h("label", { class: "check" }, el, ` ${f.label}`)
        : h("label", {}, h("span", {}, f.label, f.required ? h("b", { class: "req" }, " *") : null), el);
      return h("div", { class: "field" }, label, f.hint ? h("small", { class: "muted" }, f.hint) : null);
    });
    const error = h("p", { class: "error form-error", hidden: true });
    const frm = h(
      "form",
      { class: "dialog-form pop-form" },
      opts.intro ?? null,
      ...rows,
      error,
      h(
        "div",
        { class: "buttons" },
        h("button", { type: "button", class: "secondary", "data-act": "cancel", onclick: () => dialog.close() }, L("取消", "Cancel")),
        h("button", { type: "submit", "data-act": "ok" }, opts.submit ?? L("确定", "OK")),
      ),
    );
    frm.addEventListener("input", () => (error.hidden = true)); // the message was about what is now being changed
    frm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const out: Record<string, string> = {};
      for (const [k, el] of Object.entries(inputs)) {
        out[k] = el instanceof HTMLInputElement && el.type === "checkbox" ? (el.checked ? "1" : "") : el.value.trim();
      }
      const missing = fields.find((f) => f.required && !out[f.name]);
      const problem = missing ? L(`请填写“${missing.label}”。`, `Please fill in "${missing.label}".`) : (opts.check?.(out) ?? null);
      if (problem) {
        error.textContent = problem;
        error.hidden = false;
        return;
      }
      done = true;
      dialog.close();
      resolve(out);
    });
    dialog.addEventListener("close", () => {
      if (!done) resolve(null);
    });
    body.append(frm);
    (Object.values(inputs)[0] as HTMLElement | undefined)?.focus();
  });
}

/** Download an API answer as a file (a POST that returns a workbook, say). */
export async function download(path: string, body: unknown, fallbackName: string): Promise<string> {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  const res = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": m ? decodeURIComponent(m[1]) : "" },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    let detail = L("导出失败。", "The export failed.");
    try {
      detail = ((await res.json()) as { detail?: string }).detail ?? detail;
    } catch {
      /* not JSON */
    }
    throw new Error(detail);
  }
  const name = filenameOf(res.headers.get("Content-Disposition")) ?? fallbackName;
  saveBlob(await res.blob(), name);
  return name;
}

export function filenameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const star = disposition.match(/filename\*=UTF-8''([^;]+)/i);
  if (star) return decodeURIComponent(star[1]);
  const plain = disposition.match(/filename="?([^";]+)"?/i);
  return plain ? plain[1] : null;
}

export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
