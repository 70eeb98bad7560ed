// The polling pages' strings: Simplified Chinese by default, English when the user chose it.
import { getLang } from "../i18n";

export const L = (zh: string, en: string): string => (getLang() === "en" ? en : zh);
