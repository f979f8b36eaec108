// Who is signed in: /auth/me/'s answer, shared by every page (a reactive
// object; no state library needed for this much).
//   session.user          the User object, or null
//   session.modulePerms   { module: { perm: true|false } }
//   can('resource.add_host')   true when the caller holds that module
//                              permission (false for an unknown one)
import { reactive } from 'vue'
import { api, setCsrfToken } from './api'

export const session = reactive({ user: null, modulePerms: {}, loaded: false })

function take(answer) {
  session.user = answer?.user ?? null
  session.modulePerms = answer?.module_perms ?? {}
  setCsrfToken(answer?.csrf_token)
  session.loaded = true
}

// Ask the server who we are; false when nobody is signed in.
export async function loadSession() {
  try {
    take(await api.get('/auth/me/'))
    return true
  } catch (e) {
    if (e.status !== 401) throw e
    clearSession()
    return false
  }
}

export async function login(username, password) {
  const answer = await api.post('/auth/login/', { username, password })
  take(answer)
  // /auth/me/ carries module_perms, which the login answer does not.
  await loadSession()
}

export async function logout() {
  try { await api.post('/auth/logout/') } finally { clearSession() }
}

export function clearSession() {
  session.user = null
  session.modulePerms = {}
  session.loaded = true
  setCsrfToken(null)
}

export function isSuperuser() { return !!session.user?.is_superuser }

// 'module.perm' -> boolean.  A superuser's module_perms are all true.
export function can(perm) {
  if (!perm) return true
  const [mod, p] = perm.split('.')
  return session.modulePerms?.[mod]?.[p] === true
}
