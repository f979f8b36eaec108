// What the caller may do to which host: each Host object's
// available_actions (the server's answer from the caller's module
// permissions and its grants, its own and its roles'); the server checks
// every action anyway.
import { can } from '@/session'

// May the caller do `perm` (view_host, edit_host, restart_host, ...) on host?
export function hostCan(perm, host) {
  return can('resource.enable_host_mgmt') && host?.available_actions?.[perm] === true
}

// On at least one of hosts (whether to show a batch button at all)?
export const anyHostCan = (perm, hosts) => hosts.some((h) => hostCan(perm, h))

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
