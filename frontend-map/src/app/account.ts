// Signing in (the platform's own session sign-in, posted from the app) and "我的": my community,
// binding it by claiming my population record, signing out.
import { csrfToken } from "../api";
import { h, showError, toast } from "../ui";
import { clearCache, fmtDate, read, route, send, state } from "./core";
import { tr } from "./i18n";

interface MyCommunity {
  community: { id: number; name: string } | null;
  levels: Array<{ id: number; name: string; level: number }>;
  claim: { id: number; status: string; status_label: string; community: { name: string }; created_at: string; reason: string } | null;
}

/** The sign-in form: posts to /accounts/login/ (rate-limited, session cookie) and reloads on success. */
export function signInView(view: HTMLElement): void {
  const user = h("input", { name: "username", autocomplete: "username", required: true });
  const pass = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const error = h("p", { class: "error", id: "signin-error" });
  const form = h(
    "form",
    { class: "signin stack", id: "signin" },
    h("h2", {}, tr("signInTitle")),
    h("label", {}, tr("username"), user),
    h("label", {}, tr("password"), pass),
    error,
    h("button", { type: "submit", class: "primary" }, tr("signIn")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const body = new URLSearchParams({ username: user.value.trim(), password: pass.value, next: "/app/" });
    void fetch("/accounts/login/", {
      method: "POST",
      body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken() },
    })
      .then((res) => {
        // Success is a redirect (opaque here); a failed sign-in re-renders the form (200).
        if (res.type === "opaqueredirect" || res.status === 302) location.reload();
        else error.textContent = tr("signInFailed");
      })
      .catch(showError);
  });
  view.append(form);
  user.focus();
}

async function me(view: HTMLElement): Promise<void> {
  const who = state.me!;
  const info = await read<MyCommunity>("/api/residents/me/");
  view.append(
    h(
      "div",
      { class: "profile" },
      h("div", { class: "who" }, who.display_name || who.username),
      h("div", { class: "muted" }, info.levels.map((u) => u.name).join(" › ") || tr("notBound")),
    ),
  );
  if (who.capabilities.resident) {
    if (info.claim) {
      view.append(
        h(
          "p",
          { class: `claim-status ${info.claim.status}`, id: "claim-status" },
          tr("claimStatus", { s: `${info.claim.status_label}（${info.claim.community.name}，${fmtDate(info.claim.created_at)}）` }),
          info.claim.reason ? ` ${info.claim.reason}` : "",
        ),
      );
    }
    view.append(bindForm());
  }
  view.append(
    h(
      "form",
      { method: "post", action: "/accounts/logout/", class: "stack" },
      h("input", { type: "hidden", name: "csrfmiddlewaretoken", value: csrfToken() }),
      h("input", { type: "hidden", name: "next", value: "/app/" }),
      h("button", { type: "submit", class: "secondary", id: "signout", onclick: () => clearCache() }, tr("signOut")),
    ),
  );
}

function bindForm(): HTMLElement {
  const name = h("input", { name: "name", required: true, autocomplete: "name" });
  const idn = h("input", { name: "id_number", required: true, inputmode: "text", autocomplete: "off", maxlength: 18 });
  const phone = h("input", { name: "phone", required: true, inputmode: "tel", autocomplete: "tel" });
  const search = h("input", { name: "community_q", placeholder: tr("searchCommunity"), autocomplete: "off" });
  const pick = h("select", { name: "community", required: true }, h("option", { value: "" }, "—"));
  let timer: number | undefined;
  search.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      const q = search.value.trim();
      if (!q) return;
      const found = await read<Array<{ id: number; name: string; town: string }>>(`/api/residents/communities/?q=${encodeURIComponent(q)}`);
      pick.replaceChildren(...found.map((c) => h("option", { value: c.id }, `${c.name}（${c.town}）`)));
    }, 250);
  });
  const form = h(
    "form",
    { class: "stack bind", id: "bind-form" },
    h("h2", {}, tr("bindTitle")),
    h("p", { class: "muted" }, tr("bindHint")),
    h("label", {}, tr("name"), name),
    h("label", {}, tr("idNumber"), idn),
    h("label", {}, tr("phone"), phone),
    h("label", {}, tr("community"), search, pick),
    h("p", { class: "muted small" }, tr("followNote")),
    h("button", { type: "submit", class: "primary" }, tr("submit")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void send<{ detail: string }>("/api/residents/me/", { community: Number(pick.value), name: name.value.trim(), id_number: idn.value.trim(), phone: phone.value.trim() })
      .then((r) => {
        toast(r.detail || tr("claimSubmitted"));
        idn.value = "";
        location.hash = "#/me";
        window.dispatchEvent(new HashChangeEvent("hashchange"));
      })
      .catch(showError);
  });
  return form;
}

export function registerAccountRoutes(): void {
  route(/^\/me$/, me, { title: "navMe" });
}
