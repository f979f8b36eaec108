// Vite build of Hangar's UI: served by nginx under /ui/ from $HANGAR_UI_OUT
// (default ../../build/ui, outside the tracked tree), hashed asset names,
// Element Plus components and their CSS imported on demand.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { fileURLToPath } from 'node:url'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))

export default defineConfig({
  base: '/ui/',
  plugins: [
    vue(),
    // ElMessage, ElMessageBox... used from script code.
    AutoImport({ resolvers: [ElementPlusResolver()], dts: false }),
    // <el-...> in templates; each component's CSS comes with it.
    Components({ resolvers: [ElementPlusResolver()], dts: false, dirs: [] }),
  ],
  resolve: { alias: { '@': here('./src') } },
  build: {
    outDir: process.env.HANGAR_UI_OUT || here('../../build/ui'),
    emptyOutDir: true,
    assetsDir: 'assets',
    // No inline <script> or data: module preload: the CSP is script-src 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 800,
  },
  server: {
    // npm run dev: the API from a running stack (make run), e.g.
    // HANGAR_URL=http://127.0.0.1:8080 npm run dev
    proxy: {
      '^/(?!ui/|@|src/|node_modules/).*': {
        target: process.env.HANGAR_URL || 'http://127.0.0.1:8080',
        changeOrigin: false,
      },
    },
  },
})
