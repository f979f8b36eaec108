// What the caller may do to which host.  Host objects carry no
// available_actions, so this is worked out from what the UI can read:
//   - a superuser, or module resource.manage_host: everything on every host;
//   - module resource.edit_host / delete_host: that, on every host;
//   - otherwise the grants the user holds directly on each host
//     (GET /users/{me}/host/perms/, self).
// Grants a user holds only through a role are not readable by it, so such
// actions stay hidden (never the other way round); the server checks every
// action anyway.
import { reactive } from 'vue'
import { api } from '@/api'
import { session, can, isSuperuser } from '@/session'

const grants = reactive({ user: null, byId: {}, any: {} })

const everyHost = () => isSuperuser() || can('resource.manage_host')

// Read the caller's direct grants once per signed-in user.
export async function loadHostGrants() {
  const me = session.user?.id
  if (!me || everyHost() || grants.user === me) return
  const byId = {}, any = {}
  try {
    const ans = await api.get(`/users/${me}/host/perms/`, { page_size: 1000 })
    for (const e of ans.results || []) {
      byId[e.id] = e.permission || {}
      for (const [p, v] of Object.entries(e.permission || {})) if (v) any[p] = true
    }
  } catch { /* nothing known: nothing shown */ }
  Object.assign(grants, { user: me, byId, any })
}

// May the caller do `perm` (view_host, edit_host, restart_host, ...) on host id?
export function hostCan(perm, id) {
  if (!can('resource.enable_host_mgmt')) return false
  if (everyHost()) return true
  if ((perm === 'edit_host' || perm === 'delete_host') && can('resource.' + perm)) return true
  return grants.byId[id]?.[perm] === true
}

// On at least one host (whether to show a batch button at all)?
export function anyHostCan(perm) {
  if (!can('resource.enable_host_mgmt')) return false
  if (everyHost()) return true
  if ((perm === 'edit_host' || perm === 'delete_host') && can('resource.' + perm)) return true
  return grants.any[perm] === true
}

export const HOST_TYPES = ['PHY_HOST', 'ALI_ECS', 'TECENT_CVM', 'TECENT_CPM', 'CLOUDSTACK', 'CLOUDSTACK_OFFICE']
export const HOST_STATUSES = ['raw', 'inited', 'attached', 'offline']
export const OS_STATUSES = ['unknown', 'running', 'stopped', 'restarting']
export const statusType = { raw: 'info', inited: 'primary', attached: 'success', offline: 'danger',
  unknown: 'info', running: 'success', stopped: 'warning', restarting: 'primary' }
// change-status: which moves the API allows from each status
export const STATUS_MOVES = { raw: ['inited', 'offline'], inited: ['attached', 'offline'],
  attached: ['inited', 'offline'], offline: ['raw'] }
// batch actions: the host permission each needs
export const ACTION_PERM = { start: 'restart_host', stop: 'restart_host', restart: 'restart_host',
  init: 'init_host', status: 'deactivate_host' }
