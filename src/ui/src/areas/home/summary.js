// What the home page shows, each figure read from the API with only what
// the caller may see (no figure is made up: one the caller may not read is
// left out, one that failed is shown as failed).
import { api } from '@/api'
import { can } from '@/session'

const count = (path, query = {}) =>
  api.get(path, { ...query, page_size: 1 }).then((r) => r.count)

export const HOST_STATUSES = ['raw', 'inited', 'attached', 'offline']
export const HOST_TASK_KINDS = ['start', 'stop', 'restart', 'init']
const REQUEST_KINDS = [
  ['hosts', 'resource_request.approve_host_req'],
  ['domains', 'resource_request.approve_domain_req'],
  ['ssl-certificates', 'resource_request.approve_ssl_cert_req'],
]

export async function applications() {
  if (!can('application.enable_app_mgmt')) return null
  return count('/applications/')
}

export async function hostsByStatus() {
  if (!can('resource.enable_host_mgmt')) return null
  const counts = await Promise.all(HOST_STATUSES.map((s) => count('/hosts/', { status: s })))
  return Object.fromEntries(HOST_STATUSES.map((s, i) => [s, counts[i]]))
}

// Running tasks: host tasks of each kind and deploy tasks.
export async function runningTasks() {
  const parts = {}
  if (can('resource.enable_host_mgmt')) {
    const n = await Promise.all(HOST_TASK_KINDS.map((k) =>
      count(`/hosts/${k}-tasks/`, { status: 'running' })))
    parts.host = n.reduce((a, b) => a + b, 0)
  }
  if (can('application.enable_app_mgmt')) {
    parts.deploy = await count('/application/deploy-tasks/', { status: 'running' })
  }
  if (!Object.keys(parts).length) return null
  return { total: Object.values(parts).reduce((a, b) => a + b, 0), ...parts }
}

// What waits for the caller's approval: deploy tasks and resource requests
// in wait_review whose available_actions let the caller approve them (the
// newest 100 of each list are looked at; `more` says there were more).
export async function pendingApprovals() {
  const lists = []
  if (can('application.enable_app_mgmt')) {
    lists.push(['deploy', api.get('/application/deploy-tasks/', { status: 'wait_review', page_size: 100 })])
  }
  if (can('resource_request.enable_resource_req')) {
    for (const [kind, perm] of REQUEST_KINDS) {
      if (can(perm)) lists.push([kind, api.get(`/resource-request/${kind}/`, { status: 'wait_review', page_size: 100 })])
    }
  }
  if (!lists.length) return null
  const answers = await Promise.all(lists.map(([, p]) => p))
  const out = { total: 0, more: false, parts: {} }
  answers.forEach((a, i) => {
    const n = (a.results || []).filter((x) => x.available_actions?.approve).length
    out.parts[lists[i][0]] = n
    out.total += n
    if (a.count > (a.results || []).length) out.more = true
  })
  return out
}

// The newest tasks the caller may see, host and deploy tasks together.
export async function recentActivity(limit = 8) {
  const lists = []
  if (can('resource.enable_host_mgmt')) {
    for (const k of HOST_TASK_KINDS) {
      lists.push(api.get(`/hosts/${k}-tasks/`, { page_size: limit }).then((r) =>
        r.results.map((t) => ({
          kind: k, id: t.id, status: t.status, creator: t.creator, time: t.created_time,
          what: t.hosts.map((h) => h.name).join(', '),
        }))))
    }
  }
  if (can('application.enable_app_mgmt')) {
    lists.push(api.get('/application/deploy-tasks/', { page_size: limit }).then((r) =>
      r.results.map((t) => ({
        kind: 'deploy', id: t.id, status: t.status, creator: t.creator?.username ?? '',
        time: t.created_time,
        what: `${t.application_name ?? ''} ${t.version ?? ''}`.trim(),
      }))))
  }
  if (!lists.length) return null
  const all = (await Promise.all(lists)).flat()
  all.sort((a, b) => Date.parse(b.time) - Date.parse(a.time))
  return all.slice(0, limit)
}

export async function navigators() {
  if (!can('navigator.view_navigator')) return null
  return (await api.get('/external-navigators/', { page_size: 100 })).results
}
