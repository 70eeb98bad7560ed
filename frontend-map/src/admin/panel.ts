// The 管理 tab for unit administrators (初始化配置): accounts and roles, organisations and
// departments, the committee record and its members, villager groups. Shown only to roles the
// server calls unit administrators; everything is scoped to their jurisdiction and audited.
import type { App } from "../app";
import { h } from "../ui";
import type { Panel } from "../panels";
import { L } from "../population/common";
import { mountAccounts } from "./accounts";
import { mountCommittee, mountOrganisations } from "./orgs";
import { mountGroups } from "./groups";

type Section = "accounts" | "orgs" | "committee" | "groups";

export const adminPanel: Panel = {
  id: "admin",
  label: "tabAdmin",
  visible: (app) => app.me.capabilities.unit_admin && !!app.me.unit,
  render(app: App, el) {
    const me = app.me;
    const nav = h("div", { class: "pop-nav" });
    const body = h("div", {});
    el.append(nav, body);
    const sections: Array<[Section, string]> = [
      ["accounts", L("账号和角色", "Accounts and roles")],
      ["orgs", L("机构和部门", "Organisations")],
      ...(me.unit!.level === 3 ? ([["committee", L("村(居)委会", "Committee")], ["groups", L("村(居)民小组", "Groups")]] as Array<[Section, string]>) : []),
    ];
    const show = (s: Section): void => {
      nav.querySelectorAll("button").forEach((b) => b.classList.toggle("active", b.dataset.view === s));
      body.replaceChildren();
      if (s === "accounts") mountAccounts(me, body);
      else if (s === "orgs") mountOrganisations(me, body);
      else if (s === "committee") mountCommittee(me, body);
      else mountGroups(app, body);
    };
    nav.append(...sections.map(([s, label]) => h("button", { type: "button", "data-view": s, onclick: () => show(s) }, label)));
    show("accounts");
  },
};
