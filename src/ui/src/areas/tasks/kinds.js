// The host task kinds and their endpoints (hangar-api(7) HOST TASKS).
import { api } from '@/api'
import { can } from '@/session'

export const TASK_KINDS = ['restart', 'start', 'stop', 'init']
export const TASK_STATUSES = ['running', 'finished', 'failed']
export const RESULT_STATUSES = ['pending', 'running', 'succeeded', 'failed']
export const statusType = { running: 'primary', finished: 'success', failed: 'danger',
  pending: 'info', succeeded: 'success' }

export const taskPath = (kind, id) => `/hosts/${kind}-tasks/` + (id ? `${encodeURIComponent(id)}/` : '')

// A task by id when its kind is not known: the four kinds are asked at
// once (task ids are one sequence, so at most one answers).  null when it
// is no host task the caller may see (a deploy sub-task, say).
export async function findHostTask(id, kind) {
  if (!can('resource.enable_host_mgmt')) return null
  if (kind && TASK_KINDS.includes(kind)) {
    try { return { kind, task: await api.get(taskPath(kind, id)) } } catch (e) {
      if (e.status !== 404) throw e
    }
  }
  const tries = await Promise.allSettled(TASK_KINDS.map((k) => api.get(taskPath(k, id))))
  const i = tries.findIndex((r) => r.status === 'fulfilled')
  if (i >= 0) return { kind: TASK_KINDS[i], task: tries[i].value }
  const bad = tries.find((r) => r.reason?.status !== 404)
  if (bad) throw bad.reason
  return null
}
