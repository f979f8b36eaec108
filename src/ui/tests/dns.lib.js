// Seeding helpers of requests.spec.js and dns.spec.js: module permissions,
// the test stack's PowerDNS (t/run-tests.sh: HANGAR_PDNS_URL, _KEY) as a
// Hangar DNS server with a fresh zone, and PowerDNS's own view of a zone.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { admin, newUser, unique } from './lib.js'

export const PDNS_URL = process.env.HANGAR_PDNS_URL || ''
export const PDNS_KEY = process.env.HANGAR_PDNS_KEY || ''

// A new user holding these module permissions: { module: [perm, ...] }.
export async function userWith(perms) {
  const u = await newUser()
  const a = await admin()
  await a.post(`/users/${u.id}/system/perms/`, Object.entries(perms).map(([m, ps]) => ({
    module_name: m, permissions: Object.fromEntries(ps.map((p) => [p, true])) })))
  return u
}

// The stack's PowerDNS as a Hangar server (one per run is enough, but a
// new one each time keeps tests independent) with a new zone in it.
export async function pdnsZone() {
  if (!PDNS_URL) throw new Error('HANGAR_PDNS_URL is not set (run through t/run-tests.sh)')
  const a = await admin()
  const server = await a.post('/dns-services/', { name: unique('pdns-'), type: 'powerdns',
    api_endpoint: PDNS_URL, api_key: PDNS_KEY, description: 'browser tests' })
  const zone = `${unique('ui')}.test`
  const domain = await a.post(`/dns-services/${server.id}/domains/`, { name: zone })
  return { server, domain, zone, a }
}

// PowerDNS's records of `name` (absolute, no trailing dot) and type in
// zone: [{ content, disabled }], straight from its API.
export async function pdnsRecords(zone, name, type) {
  const res = await fetch(`${PDNS_URL}/api/v1/servers/localhost/zones/${zone}.`,
    { headers: { 'X-API-Key': PDNS_KEY } })
  if (!res.ok) throw new Error(`PowerDNS: ${res.status} ${await res.text()}`)
  const z = await res.json()
  const set = z.rrsets.find((r) => r.name === name + '.' && r.type === type)
  return set ? set.records.map((r) => ({ content: r.content, disabled: r.disabled, ttl: set.ttl })) : []
}

// A self-signed certificate for these DNS names (the first is the CN),
// made with openssl: its PEM, and the PEM of its private key.
export function makeCert(names, days = 30) {
  const dir = mkdtempSync(join(tmpdir(), 'hg-ui-cert-'))
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
      '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', String(days),
      '-subj', `/CN=${names[0]}/O=Hangar UI tests`,
      '-addext', 'subjectAltName=' + names.map((n) => 'DNS:' + n).join(',')], { stdio: 'pipe' })
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
