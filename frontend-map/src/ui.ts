// Small DOM helpers: element builder, toast messages, a modal form.
import { t } from "./i18n";

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | EventListener | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v as EventListener);
    else if (k === "class") el.className = String(v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

let toastTimer: number | undefined;

/** A message at the bottom of the screen; errors stay until clicked. */
export function toast(message: string, kind: "info" | "error" = "info"): void {
  const el = document.getElementById("toast")!;
  el.textContent = message;
  el.className = kind;
  el.hidden = false;
  window.clearTimeout(toastTimer);
  el.onclick = () => (el.hidden = true);
  if (kind === "info") toastTimer = window.setTimeout(() => (el.hidden = true), 3500);
}

export function showError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  toast(message || t("errorGeneric"), "error");
}

export interface Field {
  name: string;
  label: string;
  type?: "text" | "textarea" | "select";
  options?: Array<[string, string]>;
  required?: boolean;
  value?: string;
}

/** Ask for a few values in a modal dialog; resolves null on cancel. */
export function form(title: string, fields: Field[]): Promise<Record<string, string> | null> {
  const dlg = document.getElementById("dialog") as HTMLDialogElement;
  dlg.replaceChildren();
  return new Promise((resolve) => {
    const inputs: Record<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement> = {};
    const body = fields.map((f) => {
      let input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
      if (f.type === "textarea") input = h("textarea", { name: f.name, rows: 3, required: f.required });
      else if (f.type === "select") {
        input = h("select", { name: f.name }, ...(f.options ?? []).map(([v, l]) => h("option", { value: v }, l)));
      } else input = h("input", { name: f.name, type: "text", required: f.required });
      if (f.value) input.value = f.value;
      inputs[f.name] = input;
      return h("label", {}, f.label, input);
    });
    const frm = h(
      "form",
      { method: "dialog", class: "dialog-form" },
      h("h3", {}, title),
      ...body,
      h(
        "div",
        { class: "buttons" },
        h("button", { type: "button", class: "secondary", id: "dialog-cancel" }, t("cancel")),
        h("button", { type: "submit", id: "dialog-ok" }, t("ok")),
      ),
    );
    frm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const out: Record<string, string> = {};
      for (const [k, el] of Object.entries(inputs)) out[k] = el.value.trim();
      if (fields.some((f) => f.required && !out[f.name])) return;
      dlg.close();
      resolve(out);
    });
    frm.querySelector("#dialog-cancel")!.addEventListener("click", () => {
      dlg.close();
      resolve(null);
    });
    dlg.append(frm);
    dlg.showModal();
    (Object.values(inputs)[0] as HTMLElement | undefined)?.focus();
  });
}

export function fmtArea(m2: number | null | undefined): string {
  if (m2 === null || m2 === undefined || Number.isNaN(m2)) return "–";
  if (Math.abs(m2) >= 1e6) return `${(m2 / 1e6).toFixed(2)} km²`;
  if (Math.abs(m2) >= 1e4) return `${(m2 / 1e4).toFixed(2)} ha`;
  return `${m2.toFixed(0)} m²`;
}
