// Entry point of 民政易 (/app/): sign-in or the app, routes, the service worker for the offline shell.
import "./app.css";
import { ApiError, type Me } from "../api";
import { getLang, setLang } from "../i18n";
import { registerAccountRoutes, signInView } from "./account";
import { buildTabbar, read, renderRoute, state } from "./core";
import { registerReaderRoutes } from "./reader";
import { registerPollingRoutes } from "./polling";
import { registerStaffRoutes } from "./staff";
import { registerElectionRoutes } from "./elections";

async function boot(): Promise<void> {
  document.documentElement.lang = getLang() === "en" ? "en" : "zh-Hans";
  const langBtn = document.getElementById("app-lang")!;
  langBtn.textContent = getLang() === "en" ? "中" : "EN";
  langBtn.addEventListener("click", () => {
    setLang(getLang() === "en" ? "zh" : "en");
    location.reload();
  });
  document.getElementById("back")!.addEventListener("click", () => history.back());
  const view = document.getElementById("view")!;
  try {
    state.me = await read<Me>("/api/me/");
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      view.replaceChildren();
      signInView(view);
      return;
    }
    throw err;
  }
  const unit = state.me.unit;
  state.community = unit && unit.level === 3 ? { id: unit.id, name: unit.name } : null;
  document.getElementById("app-unit")!.textContent = unit?.name ?? "";
  document.body.classList.toggle("staff", state.me.capabilities.staff);
  registerReaderRoutes();
  registerAccountRoutes();
  registerElectionRoutes();
  if (state.me.capabilities.staff) {
    registerStaffRoutes();
    registerPollingRoutes();
  }
  buildTabbar();
  window.addEventListener("hashchange", () => void renderRoute());
  await renderRoute();
  (window as unknown as { __appReady: boolean }).__appReady = true;
}

if ("serviceWorker" in navigator) {
  // Scope /app/: the server sends the worker from /app/sw.js.
  void navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => undefined);
}
void boot().catch((err) => {
  document.getElementById("view")!.textContent = err instanceof Error ? err.message : String(err);
});
