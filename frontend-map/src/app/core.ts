// 民政易's small core: who is signed in, a hash router, the tab bar, and reads that survive going
// offline (the last answer of each list is kept, and shown with a banner when the network is gone).
import { api, ApiError, csrfToken, type Me } from "../api";
import { h } from "../ui";
import { tr, type AppKey } from "./i18n";

export interface AppState {
  me: Me | null;
  community: { id: number; name: string } | null;
}

export const state: AppState = { me: null, community: null };

export type Render = (view: HTMLElement, params: string[]) => void | Promise<void>;
interface Route {
  pattern: RegExp;
  render: Render;
  title?: AppKey;
  back?: boolean;
}
const routes: Route[] = [];

export function route(pattern: RegExp, render: Render, opts: { title?: AppKey; back?: boolean } = {}): void {
  routes.push({ pattern, render, ...opts });
}

export function go(hash: string): void {
  if (location.hash === hash) void renderRoute();
  else location.hash = hash;
}

export function isStaff(): boolean {
  return Boolean(state.me?.capabilities.staff);
}

let renderToken = 0;

export async function renderRoute(): Promise<void> {
  const mine = ++renderToken;
  const hash = location.hash.replace(/^#/, "") || "/";
  const view = document.getElementById("view")!;
  for (const r of routes) {
    const m = hash.match(r.pattern);
    if (!m) continue;
    document.getElementById("back")!.hidden = !r.back;
    document.getElementById("app-title")!.textContent = r.title ? tr(r.title) : isStaff() ? tr("staffName") : tr("appName");
    highlightTab(hash);
    const fresh = h("div", { class: "page", "data-route": r.pattern.source });
    view.replaceChildren(fresh);
    try {
      await r.render(fresh, m.slice(1));
    } catch (err) {
      if (mine === renderToken) fresh.append(h("p", { class: "error pad" }, err instanceof Error ? err.message : String(err)));
    }
    window.scrollTo(0, 0);
    return;
  }
  go("#/");
}

// -- the tab bar: residents and staff see different tabs --------------------------------------
interface Tab {
  hash: string;
  label: AppKey;
  icon: string;
  staff?: boolean;
  resident?: boolean;
  when?: () => boolean;
}
const tabs: Tab[] = [
  { hash: "#/", label: "navHome", icon: "⌂" },
  { hash: "#/affairs", label: "navAffairs", icon: "☰", resident: true },
  { hash: "#/messages", label: "navMessages", icon: "✉", resident: true },
  { hash: "#/elections", label: "navElections", icon: "☑", resident: true },
  { hash: "#/staff/write", label: "navWrite", icon: "✎", staff: true, when: () => Boolean(state.me?.capabilities.write) },
  { hash: "#/staff/queue", label: "navReview", icon: "✓", staff: true, when: () => Boolean(state.me?.capabilities.review) },
  { hash: "#/staff", label: "navManage", icon: "▤", staff: true },
  { hash: "#/me", label: "navMe", icon: "☺" },
];

export function buildTabbar(): void {
  const bar = document.getElementById("tabbar")!;
  const staff = isStaff();
  const shown = tabs.filter((t) => (t.staff ? staff : t.resident ? !staff : true) && (!t.when || t.when()));
  bar.replaceChildren(
    ...shown.map((t) =>
      h("a", { href: t.hash, "data-tab": t.hash, class: "tab" }, h("span", { class: "tab-icon" }, t.icon), h("span", {}, tr(t.label))),
    ),
  );
  bar.hidden = false;
}

function highlightTab(hash: string): void {
  const path = `#${hash}`;
  let best: Element | null = null;
  let bestLen = -1;
  document.querySelectorAll("#tabbar a").forEach((a) => {
    a.classList.remove("active");
    const t = a.getAttribute("data-tab")!;
    const ok = t === "#/" ? path === "#/" : path === t || path.startsWith(`${t}/`);
    if (ok && t.length > bestLen) {
      best = a;
      bestLen = t.length;
    }
  });
  (best as Element | null)?.classList.add("active");
}

// -- reads that survive going offline ---------------------------------------------------------
const CACHE_PREFIX = "mzy.cache:";

function setOffline(on: boolean): void {
  const banner = document.getElementById("offline-banner")!;
  banner.textContent = tr("offline");
  banner.hidden = !on;
}

/** GET JSON; on a network failure, the last answer for the same URL (with the offline banner). */
export async function read<T>(url: string): Promise<T> {
  try {
    const body = await api<T>(url);
    setOffline(false);
    try {
      localStorage.setItem(CACHE_PREFIX + url, JSON.stringify(body));
    } catch {
      /* storage full: keep going without the offline copy */
    }
    return body;
  } catch (err) {
    if (err instanceof ApiError && err.status === 0) {
      const kept = localStorage.getItem(CACHE_PREFIX + url);
      if (kept !== null) {
        setOffline(true);
        return JSON.parse(kept) as T;
      }
    }
    throw err;
  }
}

export function send<T>(url: string, body: unknown, method = "POST"): Promise<T> {
  return api<T>(url, { method, body });
}

/** Multipart upload (files): the JSON helper cannot carry them. */
export async function upload<T>(url: string, form: FormData): Promise<T> {
  const res = await fetch(url, { method: "POST", body: form, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" } });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const detail = body && typeof body === "object" && "detail" in body ? String((body as { detail: unknown }).detail) : `HTTP ${res.status}`;
    throw new ApiError(res.status, String((body as { code?: string } | null)?.code ?? res.status), detail);
  }
  return body as T;
}

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** On sign-out: forget every kept answer (the app's and the service worker's), so the next person on
 * this phone never sees the previous one's items offline. */
export function clearCache(): void {
  for (const k of Object.keys(localStorage)) if (k.startsWith(CACHE_PREFIX)) localStorage.removeItem(k);
  if ("caches" in window) void caches.keys().then((keys) => Promise.all(keys.map((k) => caches.delete(k))));
}
