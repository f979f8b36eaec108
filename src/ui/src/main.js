import { followHashLinks } from './hashlinks'
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import './style.css'
// ElMessage and ElMessageBox imported by name in script code bring no CSS
// (the on-demand resolver styles only what it imports itself): theirs here.
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'

document.documentElement.lang = i18n.global.locale.value
followHashLinks(router)
createApp(App).use(i18n).use(router).mount('#app')
