// Seeding helpers of tools.spec.js: a user with some of the common tools'
// permissions, the CDN stand-in (t/cdn-standin.py, as t/api/test_cdn.c
// runs it) with a cloud account pointing at it, and bastion log lines.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { admin, newUser, unique } from './lib.js'

// A user holding the common_tools permissions named (true each).
export async function toolsUser(perms) {
  const u = await newUser()
  if (perms.length) {
    const a = await admin()
    await a.post(`/users/${u.id}/system/perms/`, { module_name: 'common_tools',
      permissions: Object.fromEntries(perms.map((p) => [p, true])) })
  }
  return u
}

// The CDN stand-in on a free port with key:secret; { port, stop() }.
export async function startCdnStandin(key, secret) {
  const dir = mkdtempSync(join(tmpdir(), 'hangar-ui-cdn-'))
  const portFile = join(dir, 'port')
  const script = new URL('../../../t/cdn-standin.py', import.meta.url).pathname
  const proc = spawn('/usr/bin/python3', [script, '--port', '0', '--port-file', portFile,
    '--key', `${key}:${secret}`], { stdio: 'ignore' })
  const end = Date.now() + 10000
  while (!existsSync(portFile)) {
    if (Date.now() > end || proc.exitCode !== null) { proc.kill(); throw new Error('the CDN stand-in did not start') }
    await new Promise((r) => setTimeout(r, 100))
  }
  const port = Number(readFileSync(portFile, 'utf8').trim())
  return { port, stop: () => { proc.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }) } }
}

// A cloud account of provider at the stand-in; its object.
export async function cdnAccount(provider, port, key, secret) {
  const a = await admin()
  return a.post('/cloud-accounts/', { name: unique('ui-cdn'), provider,
    endpoint: `http://127.0.0.1:${port}`, access_key: key, secret })
}

// POST lines to the bastion log as `client` (apiAs), in batches of 2,000
// (under the stack's max_body, as hangarctl jump-log ship sends them).
export async function shipLines(client, lines) {
  const BATCH = 2000
  for (let i = 0; i < lines.length; i += BATCH) {
    const r = await client.post('/common-utils/jump-server-logs/', lines.slice(i, i + BATCH))
    if (r.stored + r.duplicates !== Math.min(BATCH, lines.length - i)) throw new Error('not all stored: ' + JSON.stringify(r))
  }
}
