// Rules in force (the server's core.rules): each with its value and the article of law behind it.
import { api } from "../api";
import { getLang } from "../i18n";
import { h } from "../ui";
import "./kit.css";

export interface Citation {
  instrument: string;
  version: string;
  article: string;
  url: string;
  text: string;
}

export interface RuleItem {
  key: string;
  title: string;
  value: unknown;
  unit: string;
  note: string;
  label: string;
  confirmed: boolean;
  province: string;
  valid_from: string;
  valid_to: string | null;
  ruleset: string;
  ruleset_version: string;
  citation: Citation;
}

const L = (zh: string, en: string): string => (getLang() === "en" ? en : zh);

function showValue(r: RuleItem): string {
  if (r.value === true) return L("是", "yes");
  if (r.value === false) return L("否", "no");
  // A coded value ("post_void") is shown in words in Chinese; the code itself in English.
  if (r.label && getLang() !== "en") return r.label;
  const v = typeof r.value === "object" ? JSON.stringify(r.value) : String(r.value);
  return r.unit ? `${v} ${r.unit}` : v;
}

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** A date picker, a province choice (mine / national) and the list of rules in force with citations. */
export function mountRules(el: HTMLElement): void {
  const date = h("input", { type: "date", id: "rules-date", value: today() });
  const province = h("select", { id: "rules-province" },
    h("option", { value: "" }, L("本省", "My province")), h("option", { value: "national" }, L("全国", "National")));
  const list = h("div", { class: "rules-list", id: "rules-list" });
  el.replaceChildren(
    h("div", { class: "rules-form" },
      h("label", {}, L("日期", "Date"), date), h("label", {}, L("范围", "Scope"), province)),
    list);
  const load = async (): Promise<void> => {
    const qs = new URLSearchParams({ on: date.value || today() });
    if (province.value) qs.set("province", province.value);
    list.replaceChildren(h("p", { class: "muted" }, L("加载中…", "Loading…")));
    try {
      const body = await api<{ on: string; province: string; rules: RuleItem[] }>(`/api/rules/?${qs}`);
      list.replaceChildren();
      if (!body.rules.length) list.append(h("p", { class: "muted" }, L("该日期没有施行的规则。", "No rules in force on this date.")));
      for (const r of body.rules) {
        const cite = r.citation.url
          ? h("a", { href: r.citation.url, target: "_blank", rel: "noopener" }, r.citation.text)
          : h("span", {}, r.citation.text);
        list.append(h("div", { class: "rule", "data-key": r.key },
          h("div", {}, h("span", {}, r.title), " ", h("span", { class: "rule-value" }, showValue(r)),
            r.confirmed ? null : h("span", { class: "rule-flag", title: L("尚未与原文核对", "Not yet checked against the text") }, L("待核对", "unconfirmed"))),
          h("div", { class: "rule-cite" }, L("依据：", "Source: "), cite),
          h("div", { class: "rule-cite" },
            `${r.ruleset}（${r.ruleset_version}） ${r.province === "national" ? L("全国", "national") : r.province} · `
            + L(`${r.valid_from} 起施行`, `in force from ${r.valid_from}`) + (r.valid_to ? L(`，至 ${r.valid_to}`, ` to ${r.valid_to}`) : "")),
          r.note ? h("div", { class: "rule-cite muted" }, r.note) : null));
      }
    } catch (err) {
      list.replaceChildren(h("p", { class: "error" }, (err as Error).message));
    }
  };
  date.addEventListener("change", () => void load());
  province.addEventListener("change", () => void load());
  void load();
}
