import { defineConfig } from "vite";

// Everything is bundled into ui/dist: no CDN, no remote fonts, no inline scripts (the
// CSP allows only 'self').
export default defineConfig({
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  test: {
    environment: "node",
  },
});
