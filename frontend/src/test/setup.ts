import { initI18n } from "../i18n";

initI18n("en");
