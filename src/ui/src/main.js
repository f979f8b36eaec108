import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import './style.css'

// Links of the "#/path" form (the password-reset mail's
// PUBLIC_URL/ui/#/reset-password?token=...) open the same route without
// the "#".  The fragment never went to the server, and replaceState sends
// nothing either.
if (location.hash.startsWith('#/')) {
  history.replaceState(null, '', '/ui' + location.hash.slice(1))
}

document.documentElement.lang = i18n.global.locale.value
createApp(App).use(i18n).use(router).mount('#app')
