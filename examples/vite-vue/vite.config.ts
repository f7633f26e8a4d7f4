import vue from '@vitejs/plugin-vue';
import { isCustomElement } from 'cup-qr-checkout/vue';
import { defineConfig } from 'vite';

// The shop's server (shop.js), where the checkout's routes are.
const shop = process.env.SHOP_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  // The template compiler leaves <cup-qr-checkout> to the browser.
  plugins: [vue({ template: { compilerOptions: { isCustomElement } } })],
  server: {
    proxy: {
      // changeOrigin: false keeps the page's Host, so the shop sees a request from its own
      // origin. The short form ('/cup-qr': shop) sets changeOrigin: true and every payment
      // gets 403 origin-refused (or list the dev server's origin in allowedOrigins).
      '/cup-qr': { target: shop, changeOrigin: false },
      '/api': { target: shop, changeOrigin: false },
    },
  },
});
