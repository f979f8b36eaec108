// What the CDN refresh pages share: the API's enums (man/hangar-api.7,
// CDN REFRESH) and its error codes turned into messages under the right
// field of the create form.
import { t } from '@/i18n'

export const PROVIDERS = ['ALI_CDN', 'TECENT_CDN', 'WANGSU']
export const MODES = ['SINGLE_FILE', 'RECURSIVE']
export const STATUSES = ['RUNNING', 'FINISHED', 'FAILED', 'TIMEOUT']
export const DONE = new Set(['FINISHED', 'FAILED', 'TIMEOUT'])

export const statusTag = (s) =>
  ({ RUNNING: 'primary', FINISHED: 'success', FAILED: 'danger', TIMEOUT: 'warning' })[s] || 'info'

// The line (counting from 1) an error's "urls[i]" names, or null.
function lineOf(text) {
  const m = /urls\[(\d+)\]/.exec(text || '')
  return m ? Number(m[1]) + 1 : null
}

// An ApiError of POST /common-utils/cdn-refresh-tasks/ as { field: message }
// for the form's fields (urls, refresh_mode, cdn_service_provider,
// account), or null when it is about none of them.
export function cdnFieldErrors(e) {
  switch (e?.code) {
  case 30001:
    return { urls: t('tools.cdn.errNoUrls') }
  case 30002: {
    const host = /host "([^"]*)"/.exec(e.message || '')
    return { urls: t('tools.cdn.errDomain', { line: lineOf(e.message) ?? '?', host: host ? host[1] : '' }) }
  }
  case 30003:
    return { refresh_mode: t('tools.cdn.errMode') }
  case 30004:
    return { cdn_service_provider: t('tools.cdn.errProvider') }
  case 10002: {
    const out = {}
    for (const [f, msg] of Object.entries(e.fields || {})) {
      const line = lineOf(f)
      if (line !== null) out.urls = t('tools.cdn.errUrl', { line, why: msg })
      else out[f] = msg
    }
    return Object.keys(out).length ? out : null
  }
  default:
    return null
  }
}
