// The clerk's errands on a pool: 新增居住人口, 居住人口转入, Excel import (a background job with a
// progress bar and the row report, checked before it is written) and the masked export.
import { api } from "../api";
import type { App } from "../app";
import { watchJob, type Job } from "../common/jobs";
import { h, showError, toast } from "../ui";
import { download, L, loadCodes, modalForm, type Ref } from "./common";
import { mountTransferIn } from "./transfer";

export function mountErrands(app: App, el: HTMLElement, pool: Ref | null, scope: Ref | null, done: () => void): void {
  const caps = app.me.capabilities;
  if (pool) el.append(h("p", { class: "muted" }, L(`人口池：${pool.name}`, `Pool: ${pool.name}`)));
  else if (caps.write) el.append(h("p", { class: "muted" }, L("新增、转入和导入须先在地图或层级中选择一个村（社区）。", "Select a village or community to add, take in or import people.")));
  if (caps.write && pool) {
    el.append(
      h("button", { type: "button", id: "btn-add-person", onclick: () => void addPerson(pool, done).catch(showError) }, L("新增居住人口", "Add a resident")),
      h("h4", {}, L("居住人口转入（从市级人口库）", "Take in from the city record")),
    );
    const tin = h("div", {});
    el.append(tin);
    mountTransferIn(tin, pool.id, done);
    el.append(h("h4", {}, L("Excel 导入", "Import a workbook")));
    mountImport(el, pool);
  }
  const target = pool ?? scope;
  if (caps.export && target) {
    el.append(h("h4", {}, L(`导出人员名单：${target.name}`, `Export the list: ${target.name}`)));
    const full = caps.export_full ? h("input", { type: "checkbox", id: "export-full" }) : null;
    el.append(
      h("div", { class: "pop-inline" },
        h("button", { type: "button", id: "btn-export-people", onclick: () => void exportPool(target, full?.checked ?? false).catch(showError) }, L("导出 Excel", "Export to Excel")),
        full ? h("label", { class: "check" }, full, ` ${L("完整导出（含完整身份证号和电话，须填写事由）", "Full (unmasked; reason required)")}`) : null),
      h("p", { class: "muted" }, L("默认脱敏导出；每次导出都记入审计日志。", "Masked by default; every export is audited.")),
    );
  }
}

async function addPerson(pool: Ref, done: () => void): Promise<void> {
  const codes = await loadCodes();
  const v = await modalForm("add-person-dialog", L(`新增居住人口：${pool.name}`, `Add a resident: ${pool.name}`), [
    { name: "name", label: L("姓名", "Name"), required: true },
    { name: "id_number", label: L("身份证号码", "ID number"), required: true },
    { name: "phone", label: L("联系电话", "Phone") },
    { name: "ethnicity", label: L("民族", "Ethnicity"), kind: "select", options: codes.ethnicity.map((c) => [c.code, c.label]), value: "01" },
    { name: "political_status", label: L("政治面貌", "Political status"), kind: "select", options: codes.political_status.map((c) => [c.code, c.label]), value: "13" },
    { name: "hukou_code", label: L("户籍地区划代码", "Registration area code"), placeholder: "500112002001" },
    { name: "hukou_address", label: L("户籍地址", "Registered address") },
    ...codes.tags.map((t) => ({ name: `tag:${t.code}`, label: t.label, kind: "checkbox" as const })),
    { name: "reason", label: L("事由", "Reason"), value: "新增居住人口" },
  ]);
  if (!v) return;
  const tags = codes.tags.map((t) => t.code).filter((c) => v[`tag:${c}`]);
  await api("/api/population/people/", {
    method: "POST",
    body: {
      pool: pool.id, name: v.name, id_number: v.id_number, phone: v.phone, ethnicity: v.ethnicity, political_status: v.political_status,
      hukou_code: v.hukou_code, hukou_address: v.hukou_address, tags, reason: v.reason,
    },
  });
  toast(L(`已新增${v.name}`, `${v.name} added`));
  done();
}

interface ImportResult {
  rows: number;
  to_create: number;
  to_transfer_in: number;
  to_update: number;
  households_new: number;
  ok: boolean;
  written: boolean;
  error_count: number;
  errors: Array<{ row: number; column: string; code: string; message: string }>;
}

function mountImport(el: HTMLElement, pool: Ref): void {
  // The browser's own file button speaks the browser's language: a labelled button of ours instead.
  const file = h("input", { type: "file", id: "import-file", accept: ".xlsx", class: "visually-hidden" });
  const chosen = h("span", { class: "muted", id: "import-file-name" }, L("未选择文件", "No file chosen"));
  file.addEventListener("change", () => (chosen.textContent = file.files?.[0]?.name ?? L("未选择文件", "No file chosen")));
  const picker = h("label", { class: "file-button secondary" }, L("选择 Excel 文件", "Choose an Excel file"), file);
  const check = h("button", { type: "button", id: "import-check" }, L("上传并预检", "Upload and check"));
  const progress = h("div", { id: "import-job" });
  const report = h("div", { id: "import-report" });
  el.append(h("div", { class: "pop-inline" }, picker, chosen, check), h("p", { class: "muted" }, L("先预检：全部行通过才能写入；写入的是预检过的同一个文件。", "Checked first; only a clean file is written, the same file that was checked.")), progress, report);
  const run = async (form: FormData | Record<string, unknown>): Promise<{ job: Job; result: ImportResult | null }> => {
    const started = await api<{ id: number }>("/api/population/import-jobs/", { method: "POST", body: form });
    const job = await watchJob(started.id, progress, { interval: 400 });
    if (job.status === "failed") throw new Error(job.error || L("导入失败。", "The import failed."));
    return { job, result: job.result as unknown as ImportResult | null };
  };
  check.addEventListener("click", () => {
    const f = file.files?.[0];
    if (!f) return showError(new Error(L("请选择 .xlsx 文件。", "Choose an .xlsx file.")));
    const form = new FormData();
    form.append("file", f);
    form.append("pool", String(pool.id));
    form.append("dry_run", "true");
    check.disabled = true;
    report.replaceChildren();
    void run(form).then(({ job, result }) => {
      if (!result) return;
      showReport(report, result);
      if (result.ok) {
        const write = h("button", { type: "button", id: "import-write" }, L(`确认导入 ${result.rows} 行`, `Import ${result.rows} rows`));
        write.addEventListener("click", () => {
          write.disabled = true;
          void run({ checked: job.id, pool: pool.id, dry_run: false }).then(({ result: r }) => {
            if (r) showReport(report, r);
            toast(L("导入完成", "Imported"));
          }).catch(showError);
        });
        report.append(write);
      }
    }).catch(showError).finally(() => (check.disabled = false));
  });
}

function showReport(el: HTMLElement, r: ImportResult): void {
  const summary = r.written
    ? L(`已写入 ${r.rows} 行：新增 ${r.to_create}，转入 ${r.to_transfer_in}，更新 ${r.to_update}，新立户 ${r.households_new}。`,
        `Written ${r.rows} rows: ${r.to_create} new, ${r.to_transfer_in} taken in, ${r.to_update} updated, ${r.households_new} new households.`)
    : r.ok
      ? L(`预检通过，共 ${r.rows} 行：将新增 ${r.to_create}，转入 ${r.to_transfer_in}，更新 ${r.to_update}，新立户 ${r.households_new}。`,
          `Check passed, ${r.rows} rows: ${r.to_create} new, ${r.to_transfer_in} to take in, ${r.to_update} to update.`)
      : L(`预检发现 ${r.error_count} 处问题，未写入任何数据。请修改表格后重新上传。`, `${r.error_count} problems found; nothing was written.`);
  el.replaceChildren(h("p", { class: r.ok ? "ok" : "error", id: "import-summary" }, summary));
  if (r.errors.length) {
    el.append(h("table", { class: "pop-table", id: "import-errors" },
      h("thead", {}, h("tr", {}, h("th", {}, L("行", "Row")), h("th", {}, L("列", "Column")), h("th", {}, L("问题", "Problem")))),
      h("tbody", {}, ...r.errors.map((e) => h("tr", {}, h("td", {}, String(e.row)), h("td", {}, e.column), h("td", {}, e.message))))));
  }
}

async function exportPool(pool: Ref, full: boolean): Promise<void> {
  let reason = "";
  if (full) {
    const v = await modalForm("export-reason-dialog", L("完整导出", "Full export"), [
      { name: "reason", label: L("导出事由（记入审计日志）", "Reason (audited)"), kind: "textarea", required: true },
    ]);
    if (!v) return;
    reason = v.reason;
  }
  const name = await download("/api/population/export/", { unit: pool.id, full, reason }, `population-${pool.code ?? pool.id}.xlsx`);
  toast(L(`已导出：${name}`, `Exported: ${name}`));
}
