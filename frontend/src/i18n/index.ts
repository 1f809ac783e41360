/**
 * The message catalogue: every UI string comes from here. The language follows the
 * browser until the user picks one, which is then remembered.
 */
import i18n from "i18next";
import LanguageDetector from "i18next-browser-languagedetector";
import { initReactI18next } from "react-i18next";
import { en } from "./en";
import { zh } from "./zh";

export const resources = { en: { translation: en }, "zh-CN": { translation: zh } } as const;

export const LANGUAGES = [
  { code: "en", label: "English" },
  { code: "zh-CN", label: "简体中文" },
] as const;

export function initI18n(language?: string): typeof i18n {
  if (i18n.isInitialized) return i18n;
  void i18n
    .use(LanguageDetector)
    .use(initReactI18next)
    .init({
      resources,
      ...(language ? { lng: language } : {}),
      fallbackLng: { zh: ["zh-CN"], default: ["en"] },
      supportedLngs: ["en", "zh-CN"],
      nonExplicitSupportedLngs: false,
      load: "currentOnly",
      interpolation: { escapeValue: false },
      detection: {
        order: ["localStorage", "navigator"],
        lookupLocalStorage: "blockyard.lang",
        caches: ["localStorage"],
        convertDetectedLanguage: (lng: string) =>
          lng.toLowerCase().startsWith("zh") ? "zh-CN" : (lng.split("-")[0] ?? lng),
      },
      returnNull: false,
      showSupportNotice: false,
    });
  const mark = (lng: string) => {
    document.documentElement.lang = lng;
  };
  i18n.on("languageChanged", mark);
  mark(i18n.resolvedLanguage ?? "en");
  return i18n;
}
