// Times from the API (strings; see "Times" in hangar-api.7) shown in the
// browser's time zone, in the current language.
import { i18n } from './i18n'

// Hangar's times: "2026-12-06 16:06:19" (UTC), ISO 8601 with an offset or Z,
// or seconds since the epoch.
export function parseTime(v) {
  if (v === null || v === undefined || v === '') return null
  if (typeof v === 'number') return new Date(v * 1000)
  let s = String(v).trim()
  if (/^\d+$/.test(s)) return new Date(Number(s) * 1000)
  if (/^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(s)) s = s.replace(' ', 'T') + 'Z'
  const d = new Date(s)
  return isNaN(d.getTime()) ? null : d
}

// "2026/12/07 00:06:19" in Shanghai for the value above.
export function formatTime(v, style = 'long') {
  const d = parseTime(v)
  if (!d) return v ? String(v) : ''
  return i18n.global.d(d, style)
}
