// Errors of an API call shown where they belong, for Element Plus forms:
//   const errs = fieldErrors()             // reactive { field: message }
//   <el-form-item prop="name" :error="errs.name">
//   try { await api.post(...) } catch (e) { showError(e, errs) }
// A validation failure (10002) puts each field's message under its field;
// any other error, or a field the form does not show, becomes a message.
import { reactive } from 'vue'
import { ElMessage } from 'element-plus'
import { t } from './i18n'

export function fieldErrors() { return reactive({}) }

export function clearErrors(errs) {
  for (const k of Object.keys(errs)) delete errs[k]
}

// The text for an error that is not about one field.
export function errorText(e) {
  if (!e) return ''
  if (e.status === 0) return t('errors.network')
  if (e.code === 10007) return t('errors.denied')
  if (e.code === 10011) return t('errors.throttled', { s: e.retryAfter || '?' })
  if (e.code === 10012) return t('errors.unavailable')
  if (e.code === 10013) return t('errors.internal')
  return e.message || t('errors.unknown')
}

// Returns true when every message found a field of `shown` (a list of
// field names; default: the keys errs already knows or all of them).
export function showError(e, errs, shown) {
  if (errs) clearErrors(errs)
  const fields = e?.fields || {}
  const rest = []
  for (const [f, msg] of Object.entries(fields)) {
    if (errs && (!shown || shown.includes(f))) errs[f] = msg
    else rest.push(`${f}: ${msg}`)
  }
  if (!Object.keys(fields).length) rest.push(errorText(e))
  if (rest.length) ElMessage.error({ message: rest.join('; '), showClose: true })
  return rest.length === 0
}
