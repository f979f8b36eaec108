// The three kinds of resource request (man/hangar-api.7, RESOURCE
// REQUESTS): where each lives in the API, who approves it, and what its
// create form holds.  The pages are one set for all three, told the kind
// by their route (meta.kind).
export const KINDS = {
  hosts: {
    api: '/resource-request/hosts/',
    approve: 'resource_request.approve_host_req',
    title: 'requests.hosts',
  },
  domains: {
    api: '/resource-request/domains/',
    approve: 'resource_request.approve_domain_req',
    title: 'requests.domains',
  },
  ssl: {
    api: '/resource-request/ssl-certificates/',
    approve: 'resource_request.approve_ssl_cert_req',
    title: 'requests.ssl',
  },
}

export const STATES = ['wait_review', 'approved', 'rejected', 'closed', 'finished']
export const STATE_TAG = {
  wait_review: 'warning', approved: 'primary', rejected: 'danger',
  closed: 'info', finished: 'success',
}
// The actions of available_actions, in the API's order, as buttons.
export const ACTIONS = ['approve', 'reject', 'close', 'finish']
export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT']
export const HOST_TYPES = ['ALI_ECS', 'PHY_HOST', 'TECENT_CVM', 'TECENT_CPM', 'CLOUDSTACK',
  'CLOUDSTACK_OFFICE']

// An empty create form of a kind.
export function emptyForm(kind) {
  const base = { purpose: '', expect_delivery_days: '7' }
  if (kind === 'hosts') {
    return { ...base, expiration_type: 'INFINITE', expiration_days: '',
      requested_hosts: [emptyHost()] }
  }
  if (kind === 'domains') return { ...base, records: [emptyRecord()] }
  return { ...base, domain: '', certificate_type: 'normal' }
}
export function emptyHost() {
  return { name: '', cpu_cores: 2, mem: 4096, storage: 51200, os: '', type: '' }
}
export function emptyRecord() { return { name: '', type: 'A', value: '', ttl: null } }

// The form as the API's body (empty optional fields left out).
export function body(kind, f) {
  const b = { purpose: f.purpose, expect_delivery_days: String(f.expect_delivery_days || '7') }
  if (kind === 'hosts') {
    b.expiration_type = f.expiration_type
    if (f.expiration_type === 'FINITE') b.expiration_days = String(f.expiration_days || '')
    b.requested_hosts = f.requested_hosts.map((h) => ({
      name: h.name, cpu_cores: Number(h.cpu_cores), mem: Number(h.mem),
      storage: Number(h.storage), os: h.os || null, type: h.type || null,
    }))
  } else if (kind === 'domains') {
    b.records = f.records.map((r) => ({ name: r.name, type: r.type, value: r.value,
      ttl: r.ttl === '' || r.ttl === null || r.ttl === undefined ? null : Number(r.ttl) }))
  } else {
    b.domain = f.domain
    b.certificate_type = f.certificate_type
  }
  return b
}

// A request object back into the form (edit).
export function formOf(kind, q) {
  const f = emptyForm(kind)
  f.purpose = q.purpose || ''
  f.expect_delivery_days = q.expect_delivery_days || '7'
  if (kind === 'hosts') {
    f.expiration_type = q.expiration_type || 'INFINITE'
    f.expiration_days = q.expiration_days || ''
    f.requested_hosts = (q.requested_hosts || []).map((h) => ({ ...emptyHost(), ...h,
      os: h.os || '', type: h.type || '' }))
  } else if (kind === 'domains') {
    f.records = (q.records || []).map((r) => ({ ...r }))
  } else {
    f.domain = q.domain || ''
    f.certificate_type = q.certificate_type || 'normal'
  }
  return f
}
