// Messages: the shared ones in src/i18n/<locale>.json and each area's in
// src/areas/<area>/i18n/<locale>.json, merged under the area's name:
// areas/hosts/i18n/en.json {"title": "Hosts"} is $t('hosts.title').
// zh-CN is the default (the users' language); the choice is kept in
// localStorage.  tests/i18n.spec.js fails when a key is in one locale and
// not the other.
import { createI18n } from 'vue-i18n'

export const LOCALES = ['zh-CN', 'en']
const STORE_KEY = 'hangar.locale'

const shared = import.meta.glob('./i18n/*.json', { eager: true, import: 'default' })
const areas = import.meta.glob('./areas/*/i18n/*.json', { eager: true, import: 'default' })

function buildMessages() {
  const messages = Object.fromEntries(LOCALES.map((l) => [l, {}]))
  for (const [path, msgs] of Object.entries(shared)) {
    const locale = path.match(/\/([^/]+)\.json$/)[1]
    if (messages[locale]) Object.assign(messages[locale], msgs)
  }
  for (const [path, msgs] of Object.entries(areas)) {
    const [, area, locale] = path.match(/areas\/([^/]+)\/i18n\/([^/]+)\.json$/)
    if (!messages[locale]) continue
    if (messages[locale][area]) throw new Error(`i18n: area ${area} clashes with a shared key`)
    messages[locale][area] = msgs
  }
  return messages
}

function initialLocale() {
  try {
    const saved = localStorage.getItem(STORE_KEY)
    if (LOCALES.includes(saved)) return saved
  } catch { /* storage off: the default */ }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: buildMessages(),
  // A missing key shows as itself; the key-set test is what catches it.
  missingWarn: import.meta.env.DEV,
  fallbackWarn: import.meta.env.DEV,
  datetimeFormats: Object.fromEntries(LOCALES.map((l) => [l, {
    short: { year: 'numeric', month: '2-digit', day: '2-digit' },
    long: { year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false },
  }])),
})

export function setLocale(locale) {
  if (!LOCALES.includes(locale)) return
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  try { localStorage.setItem(STORE_KEY, locale) } catch { /* ignore */ }
}

export const t = (...args) => i18n.global.t(...args)
