import "@fontsource-variable/inter";
import "./ui/theme.css";
import "./ui/components.css";
import "./ui/layout.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { initI18n } from "./i18n";
import { applyTheme, storedTheme } from "./ui/theme";

initI18n();
applyTheme(storedTheme());

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
