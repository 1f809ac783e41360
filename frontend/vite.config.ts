/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The backend `blockyard serve` serves the built files from blockyard/web at the same
// origin as /api and /ws, so the app uses relative URLs. In dev, Vite proxies to it.
const backend = process.env.BLOCKYARD_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "../blockyard/web",
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        // Libraries change less often than the app: separate chunks stay cached across releases.
        manualChunks(id: string) {
          if (!id.includes("node_modules")) return undefined;
          if (/@xyflow|dagre|d3-/.test(id)) return "flow";
          return "vendor";
        },
      },
    },
  },
  server: {
    proxy: {
      "/api": backend,
      "/ws": { target: backend.replace(/^http/, "ws"), ws: true },
      "/openapi.json": backend,
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    setupFiles: ["src/test/setup.ts"],
  },
});
