// 机构和部门 and the committee record (村(居)委会 and its members) for unit administrators.
import { api, type Me } from "../api";
import { h, showError, toast } from "../ui";
import { L, modalForm, type Page } from "../population/common";

interface Organisation {
  id: number;
  name: string;
  unit: number;
  unit_name: string;
}

interface Department {
  id: number;
  name: string;
  organisation: number;
}

export function mountOrganisations(me: Me, el: HTMLElement): void {
  const list = h("div", { id: "orgs-list" });
  const add = h("button", { type: "button", id: "org-new", onclick: () => void addOrg().catch(showError) }, L("新建机构", "New organisation"));
  el.append(add, list);
  const load = async (): Promise<void> => {
    const [orgs, depts] = await Promise.all([
      api<Page<Organisation>>("/api/organisations/?page_size=1000"),
      api<Page<Department>>("/api/departments/?page_size=1000"),
    ]);
    list.replaceChildren(...orgs.results.map((o) => {
      const mine = depts.results.filter((d) => d.organisation === o.id);
      return h("div", { class: "admin-section", "data-org-id": o.id },
        h("div", { class: "admin-row" },
          h("span", { class: "grow" }, h("b", {}, o.name), h("small", {}, ` ${o.unit_name}`)),
          h("button", { type: "button", class: "secondary", "data-act": "rename", onclick: () => void rename(o).catch(showError) }, L("改名", "Rename")),
          h("button", { type: "button", class: "secondary", "data-act": "dept", onclick: () => void addDept(o).catch(showError) }, L("添加部门", "Add department"))),
        ...mine.map((d) => h("div", { class: "admin-row", "data-dept-id": d.id, style: "padding-left:1.5em" },
          h("span", { class: "grow" }, d.name),
          h("button", { type: "button", class: "link", "data-act": "delete-dept", onclick: () => void delDept(d).catch(showError) }, L("删除", "Delete")))));
    }));
    if (!orgs.results.length) list.append(h("p", { class: "muted" }, L("还没有机构。", "No organisations yet.")));
  };
  const addOrg = async (): Promise<void> => {
    const v = await modalForm("org-dialog", L("新建机构", "New organisation"), [{ name: "name", label: L("机构名称", "Name"), required: true }]);
    if (!v) return;
    await api("/api/organisations/", { method: "POST", body: { name: v.name, unit: me.unit!.id } });
    toast(L("已新建机构", "Created"));
    await load();
  };
  const rename = async (o: Organisation): Promise<void> => {
    const v = await modalForm("org-dialog", L("机构改名", "Rename"), [{ name: "name", label: L("机构名称", "Name"), required: true, value: o.name }]);
    if (!v) return;
    await api(`/api/organisations/${o.id}/`, { method: "PATCH", body: { name: v.name } });
    await load();
  };
  const addDept = async (o: Organisation): Promise<void> => {
    const v = await modalForm("dept-dialog", L(`添加部门：${o.name}`, `Add department: ${o.name}`), [{ name: "name", label: L("部门名称", "Name"), required: true }]);
    if (!v) return;
    await api("/api/departments/", { method: "POST", body: { name: v.name, organisation: o.id } });
    toast(L("已添加部门", "Added"));
    await load();
  };
  const delDept = async (d: Department): Promise<void> => {
    const v = await modalForm("dept-delete", L(`删除部门：${d.name}`, `Delete: ${d.name}`), [], { submit: L("删除", "Delete"), intro: h("p", {}, L("部门下的账号将不再属于任何部门。", "Its accounts will belong to no department.")) });
    if (!v) return;
    await api(`/api/departments/${d.id}/`, { method: "DELETE" });
    await load();
  };
  void load().catch((err: Error) => list.replaceChildren(h("p", { class: "error" }, err.message)));
}

interface Committee {
  id: number;
  unit: number;
  unit_name: string;
  name: string;
  address: string;
  phone: string;
  members: Array<{ name: string; post: string }>;
}

/** The committee (村民委员会/居民委员会) of the administrator's village or community: its record
 *  and its members, one "职务 姓名" a line. */
export function mountCommittee(me: Me, el: HTMLElement): void {
  const box = h("div", { id: "committee" });
  el.append(box);
  const load = async (): Promise<void> => {
    const res = await api<Page<Committee>>(`/api/committees/?unit=${me.unit!.id}`);
    const c = res.results[0];
    if (!c) {
      box.replaceChildren(h("p", { class: "muted" }, L("本单位还没有村(居)委会记录。", "No committee record yet.")));
      return;
    }
    box.replaceChildren(
      h("p", {}, h("b", {}, c.name), h("br", {}), `${L("地址", "Address")}：${c.address || "–"}`, h("br", {}), `${L("电话", "Phone")}：${c.phone || "–"}`),
      h("table", { class: "pop-table", id: "committee-members" },
        h("thead", {}, h("tr", {}, h("th", {}, L("职务", "Post")), h("th", {}, L("姓名", "Name")))),
        h("tbody", {}, ...c.members.map((m) => h("tr", {}, h("td", {}, m.post), h("td", {}, m.name))))),
      h("button", { type: "button", id: "committee-edit", onclick: () => void edit(c).catch(showError) }, L("编辑", "Edit")),
    );
  };
  const edit = async (c: Committee): Promise<void> => {
    const v = await modalForm("committee-dialog", L("村(居)委会", "Committee"), [
      { name: "name", label: L("名称", "Name"), required: true, value: c.name },
      { name: "address", label: L("地址", "Address"), value: c.address },
      { name: "phone", label: L("电话", "Phone"), value: c.phone },
      { name: "members", label: L("成员（每行：职务 姓名）", "Members (one a line: post name)"), kind: "textarea", value: c.members.map((m) => `${m.post} ${m.name}`).join("\n") },
    ], {
      check: (x) => (x.members.split("\n").some((line) => line.trim() && line.trim().split(/\s+/).length < 2) ? L("成员每行须写“职务 姓名”。", "Each member line needs a post and a name.") : null),
    });
    if (!v) return;
    const members = v.members.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
      const [post, ...rest] = line.split(/\s+/);
      return { post, name: rest.join(" ") };
    });
    await api(`/api/committees/${c.id}/`, { method: "PATCH", body: { name: v.name, address: v.address, phone: v.phone, members } });
    toast(L("已保存", "Saved"));
    await load();
  };
  void load().catch((err: Error) => box.replaceChildren(h("p", { class: "error" }, err.message)));
}
