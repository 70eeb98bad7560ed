import { defineConfig } from "vite";

// Built into dist/, which Django lists in STATICFILES_DIRS and serves under STATIC_URL (/static/).
// Every asset URL therefore starts with /static/; nothing is loaded from another host.
export default defineConfig({
  base: "/static/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    manifest: true,
    target: "es2022",
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      // Two pages from one project: the map client (/map/) and 民政易, the phone app (/app/).
      input: { index: "index.html", app: "app.html" },
      output: {
        // MapLibre is large and changes rarely: its own chunk caches across releases of our code.
        manualChunks(id: string): string | undefined {
          if (id.includes("node_modules/maplibre-gl")) return "maplibre";
          if (id.includes("node_modules/echarts") || id.includes("node_modules/zrender")) return "echarts";
          if (id.includes("node_modules/terra-draw")) return "terradraw";
          return undefined;
        },
      },
    },
  },
  server: {
    // `npm run dev` against a local Django on :8000.
    proxy: { "/api": "http://127.0.0.1:8000", "/tiles": "http://127.0.0.1:8000", "/accounts": "http://127.0.0.1:8000", "/app/sw.js": "http://127.0.0.1:8000", "/app/manifest.webmanifest": "http://127.0.0.1:8000" },
  },
});
