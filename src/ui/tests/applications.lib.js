// Seeding helpers of tests/applications.spec.js: applications, hosts that
// can take instances, users with module or per-application permissions.
import { admin as adminLogin, unique, newUser } from './lib.js'

// One admin session for the file's seeding (a login hashes a password:
// slow on a busy machine).
let adminClient = null
export async function admin() {
  if (!adminClient) adminClient = await adminLogin()
  return adminClient
}

export async function newApp(fields = {}) {
  const a = await admin()
  return a.post('/applications/', { name: unique('app'), ...fields })
}

// A host that takes instances: created 'inited' (an inventory import).
export async function newHost(name = unique('h')) {
  const a = await admin()
  return a.post('/hosts/', { name, host_type: 'PHY_HOST', status: 'inited' })
}

// A user holding the module permissions `perms` of `module`
// ({ enable_app_mgmt: true, ... }) and, on each application of `apps`,
// the application permissions given ({ id, permission: {...} }).
export async function userWith(modules = {}, apps = []) {
  const u = await newUser()
  const a = await admin()
  for (const [module_name, permissions] of Object.entries(modules)) {
    await a.post(`/users/${u.id}/system/perms/`, { module_name, permissions })
  }
  if (apps.length) await a.post(`/users/${u.id}/application/perms/`, { authorizations: apps })
  return u
}
