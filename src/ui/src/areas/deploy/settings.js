// Deploy settings (hangar-api(7) DEPLOY SETTINGS) between the API's shape
// and the form's: a credential and a hook's script are objects in answers
// and ids in requests.
export const HOOKS = ['global_pre_exec', 'pre_exec', 'post_exec', 'global_post_exec']

export function emptySettings() {
  const hooks = { running_user: '' }
  for (const h of HOOKS) hooks[h] = { script: null, running_user: '' }
  return {
    enabled: true,
    repository: { type: 'GIT', url: '', branch: 'main', credential: null },
    deploy_path: '', timeout: 120, keep_backups: 5,
    lifecycle_hooks: hooks,
  }
}

// An answer (a template, an application's settings) -> the form's model,
// with the options its selects need to show the current names.
export function fromSettings(s) {
  const m = emptySettings()
  const options = { credentials: [], scripts: [] }
  if (!s) return { model: m, options }
  m.enabled = s.enabled !== false
  const r = s.repository || {}
  m.repository.type = (r.type || 'GIT').toUpperCase()
  m.repository.url = r.url || ''
  m.repository.branch = r.branch || ''
  if (r.credential) {
    m.repository.credential = r.credential.id
    options.credentials.push(r.credential)
  }
  m.deploy_path = s.deploy_path || ''
  m.timeout = s.timeout ?? 120
  m.keep_backups = s.keep_backups ?? 5
  const lh = s.lifecycle_hooks || {}
  m.lifecycle_hooks.running_user = lh.running_user || ''
  for (const h of HOOKS) {
    const hook = lh[h]
    if (!hook || !hook.script) continue
    m.lifecycle_hooks[h] = { script: hook.script.id, running_user: hook.running_user || '' }
    options.scripts.push(hook.script)
  }
  return { model: m, options }
}

// The form's model -> a request body: every field given (the API then
// replaces hooks left empty with null, removing them).
export function toBody(m) {
  const repo = { type: m.repository.type, url: m.repository.url.trim(), credential: m.repository.credential || null }
  if (m.repository.type === 'GIT') repo.branch = m.repository.branch.trim()
  const hooks = { running_user: m.lifecycle_hooks.running_user.trim() || null }
  for (const h of HOOKS) {
    const hook = m.lifecycle_hooks[h]
    hooks[h] = hook.script ? { script: hook.script, running_user: hook.running_user.trim() || null } : null
  }
  return {
    enabled: m.enabled, repository: repo, deploy_path: m.deploy_path.trim(),
    timeout: Number(m.timeout), keep_backups: Number(m.keep_backups), lifecycle_hooks: hooks,
  }
}
