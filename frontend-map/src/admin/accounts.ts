// 账号管理 for unit administrators: the accounts of their jurisdiction; open an account with a role,
// change its role, disable or enable it, reset its password. The server scopes and audits each step.
import { api, type Me } from "../api";
import { h, showError, toast } from "../ui";
import { L, modalForm, type Page } from "../population/common";

interface Account {
  id: number;
  username: string;
  display_name: string;
  unit: number;
  unit_name: string;
  role: string;
  login_type: string;
  department: number | null;
  is_active: boolean;
  last_login: string | null;
}

interface UnitOption {
  id: number;
  name: string;
  level: number;
}

export const ROLES: Array<[string, string]> = [
  ["staff", "工作人员|Staff"],
  ["reviewer", "审核员|Reviewer"],
  ["supervisor", "只读督导|Supervisor (read only)"],
  ["admin", "系统管理员|Administrator"],
  ["resident", "居民|Resident"],
];
const roleLabel = (code: string): string => {
  const r = ROLES.find(([c]) => c === code);
  return r ? L(...(r[1].split("|") as [string, string])) : code;
};
const roleOptions = (): Array<[string, string]> => ROLES.map(([c, l]) => [c, L(...(l.split("|") as [string, string]))]);

/** The units an account may belong to: the administrator's unit and the units one level below it
 *  (a town's communities; a community's own unit only, since accounts sit at community level). */
async function unitOptions(me: Me): Promise<UnitOption[]> {
  const own = me.unit!;
  const out: UnitOption[] = [{ id: own.id, name: own.name, level: own.level }];
  if (own.level < 3) {
    const fc = await api<{ features: Array<{ id: number; properties: { id: number; name: string; level: number } }> }>(`/api/units/?parent=${own.id}&geometry=false&page_size=500`);
    out.push(...fc.features.map((f) => ({ id: f.properties?.id ?? f.id, name: f.properties.name, level: f.properties.level })));
  }
  return out;
}

/** A government unit (district, town) has 政府部门 accounts; a village or community 村·社区 ones. */
const loginTypeFor = (level: number, role: string): string => (role === "resident" ? "resident" : level <= 2 ? "government" : "community");

export function mountAccounts(me: Me, el: HTMLElement): void {
  const list = h("div", { id: "accounts-list" });
  const q = h("input", { type: "search", id: "accounts-q", placeholder: L("用户名或姓名", "Username or name"), autocomplete: "off" });
  const add = h("button", { type: "button", id: "account-new", onclick: () => void create().catch(showError) }, L("开通账号", "Open an account"));
  el.append(h("div", { class: "pop-filters" }, q, add), list);
  let all: Account[] = [];
  const draw = (): void => {
    const needle = q.value.trim();
    const rows = all.filter((a) => !needle || a.username.includes(needle) || a.display_name.includes(needle));
    list.replaceChildren(...rows.map((a) => row(a)));
    if (!rows.length) list.append(h("p", { class: "muted" }, L("没有账号。", "No accounts.")));
  };
  const load = async (): Promise<void> => {
    all = (await api<Page<Account>>("/api/users/?page_size=1000")).results;
    draw();
  };
  q.addEventListener("input", draw);
  const row = (a: Account): HTMLElement => {
    const self = a.id === me.id;
    return h(
      "div",
      { class: `admin-row${a.is_active ? "" : " inactive"}`, "data-username": a.username },
      h("span", { class: "grow" }, h("b", {}, a.display_name || a.username), h("small", {}, ` ${a.username} · ${a.unit_name}`)),
      h("span", { class: "pop-tag", "data-role": a.role }, roleLabel(a.role)),
      a.is_active ? null : h("span", { class: "muted" }, L("已停用", "disabled")),
      self ? h("small", { class: "muted" }, L("（本人）", "(you)")) : h("span", { class: "card-actions" },
        h("button", { type: "button", class: "secondary", "data-act": "role", onclick: () => void changeRole(a).catch(showError) }, L("角色", "Role")),
        h("button", { type: "button", class: "secondary", "data-act": "password", onclick: () => void resetPassword(a).catch(showError) }, L("重置密码", "Reset password")),
        h("button", { type: "button", class: "secondary", "data-act": "active", onclick: () => void toggle(a).catch(showError) }, a.is_active ? L("停用", "Disable") : L("启用", "Enable"))),
    );
  };
  const create = async (): Promise<void> => {
    const units = await unitOptions(me);
    const v = await modalForm("account-dialog", L("开通账号", "Open an account"), [
      { name: "username", label: L("用户名（登录名）", "Username"), required: true },
      { name: "display_name", label: L("姓名", "Name"), required: true },
      { name: "unit", label: L("所属单位", "Unit"), kind: "select", options: units.map((u) => [String(u.id), u.name]) },
      { name: "role", label: L("角色", "Role"), kind: "select", options: roleOptions(), value: "staff" },
      { name: "password", label: L("初始密码（至少10位，不能太简单）", "Initial password (10+ characters)"), required: true },
    ], { submit: L("开通", "Open") });
    if (!v) return;
    const unit = units.find((u) => String(u.id) === v.unit)!;
    await api("/api/users/", {
      method: "POST",
      body: { username: v.username, display_name: v.display_name, unit: unit.id, role: v.role, login_type: loginTypeFor(unit.level, v.role), password: v.password },
    });
    toast(L(`已开通账号 ${v.username}`, `Account ${v.username} opened`));
    await load();
  };
  const changeRole = async (a: Account): Promise<void> => {
    const v = await modalForm("role-dialog", L(`角色：${a.display_name || a.username}`, `Role: ${a.username}`), [
      { name: "role", label: L("角色", "Role"), kind: "select", options: roleOptions(), value: a.role },
    ]);
    if (!v || v.role === a.role) return;
    const unitLevel = a.login_type === "government" ? 2 : 3;
    await api(`/api/users/${a.id}/`, { method: "PATCH", body: { role: v.role, login_type: loginTypeFor(unitLevel, v.role) } });
    toast(L("角色已修改", "Role changed"));
    await load();
  };
  const resetPassword = async (a: Account): Promise<void> => {
    const v = await modalForm("password-dialog", L(`重置密码：${a.username}`, `Reset password: ${a.username}`), [
      { name: "password", label: L("新密码（至少10位）", "New password (10+ characters)"), required: true },
    ]);
    if (!v) return;
    await api(`/api/users/${a.id}/set-password/`, { method: "POST", body: { password: v.password } });
    toast(L("密码已重置", "Password reset"));
  };
  const toggle = async (a: Account): Promise<void> => {
    if (a.is_active) await api(`/api/users/${a.id}/`, { method: "DELETE" });
    else await api(`/api/users/${a.id}/`, { method: "PATCH", body: { is_active: true } });
    toast(a.is_active ? L("账号已停用", "Disabled") : L("账号已启用", "Enabled"));
    await load();
  };
  void load().catch((err: Error) => list.replaceChildren(h("p", { class: "error" }, err.message)));
}
