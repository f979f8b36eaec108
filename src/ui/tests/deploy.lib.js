// Seeding for tests/deploy.spec.js: the sshd test hosts (t/sshd-hosts.sh in
// private mode: one absolute deploy_path is each host's own folder) and a
// git server (t/git-server.sh) started from the spec, and the API objects a
// deploy needs (an SSH key credential, hosts, an application with
// instances, deploy settings).
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { unique } from './lib.js'

const ROOT = new URL('../../../', import.meta.url).pathname
const T = join(ROOT, 't')
// The stack's port decides the servers' ports, as t/api's deploy tests do;
// the hosts' addresses (127.0.0.151-152, .159 without sshd) are this
// spec's own.
const base = Number(process.env.HANGAR_TEST_PORT || new URL(process.env.HANGAR_URL || 'http://x:18080').port || 18080) % 10000
export const SSH_PORT = 20000 + base
export let GIT_PORT = 0	// a free port, found when the servers start
export const HOSTS = [151, 152]
export const HOST_DOWN = 159
const DIR = join(process.env.HANGAR_DIR || join(ROOT, 't/tmp'), 'ui-deploy')
const SSHDIR = join(DIR, 'sshd')
const GITDIR = join(DIR, 'git')
export const LOGDIR = join(DIR, 'logs')
export const PRIV = `/tmp/hangar-uideploy-${SSH_PORT}`
const env = { ...process.env, HANGAR_SSHD_PORT: String(SSH_PORT), HANGAR_SSHD_PRIVATE: PRIV }

const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { env, stdio: 'pipe', ...opts })

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
  })
}

export async function startServers() {
  mkdirSync(LOGDIR, { recursive: true })
  GIT_PORT = await freePort()
  sh(join(T, 'sshd-hosts.sh'), ['start', SSHDIR, String(HOSTS[0]), String(HOSTS[HOSTS.length - 1])])
  sh(join(T, 'git-server.sh'), ['start', GITDIR, String(GIT_PORT)])
}

export function stopServers() {
  try { sh(join(T, 'sshd-hosts.sh'), ['stop', SSHDIR]) } catch { /* best effort */ }
  try { sh(join(T, 'git-server.sh'), ['stop', GITDIR]) } catch { /* best effort */ }
}

// A bare repository NAME.git with tags v1 and v2 (app.txt says which);
// its git:// URL.
export function makeRepo(name) {
  const work = join(GITDIR, 'work-' + name)
  const git = (...a) => sh('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...a], { cwd: work })
  mkdirSync(work, { recursive: true })
  git('init', '-q', '-b', 'main')
  for (const v of [1, 2]) {
    writeFileSync(join(work, 'app.txt'), `release ${v}\n`)
    git('add', '-A')
    git('commit', '-qm', 'r' + v)
    git('tag', 'v' + v)
  }
  sh('git', ['init', '-q', '--bare', join(GITDIR, 'repos', name + '.git')])
  git('push', '-q', join(GITDIR, 'repos', name + '.git'), 'main', '--tags')
  return `git://127.0.0.1:${GIT_PORT}/${name}.git`
}

export const clientKey = () => readFileSync(join(SSHDIR, 'client_key'), 'utf8')
export const writeLog = (name, text) => writeFileSync(join(LOGDIR, name), text)
export const appendLog = (name, text) => appendFileSync(join(LOGDIR, name), text)

// Hosts at 127.0.0.OCTET logging in as root with the test key (one
// credential for the run), ready for instances.
let credId = null
export async function makeHosts(a, octets) {
  if (!credId) {
    credId = (await a.post('/applications/repository-credentials/ssh-key/',
      { name: unique('uihostkey'), username: 'root', private_key: clientKey() })).id
  }
  const ids = []
  for (const o of octets) {
    const h = await a.post('/hosts/', {
      name: unique(`uih${o}-`), host_type: 'PHY_HOST', status: 'inited', ssh_port: SSH_PORT,
      ssh_user: 'root', credential: credId, ip_address: [{ address: `127.0.0.${o}` }],
    })
    ids.push(h.id)
  }
  return ids
}

// An application with instances on hosts at octets; { app, instances }.
// Its stdout log is LOGDIR/<name>.log (the same machine behind every host).
export async function makeApp(a, octets, fields = {}) {
  const name = unique('uidep')
  const app = await a.post('/applications/', {
    name, startup_cmd: 'true', stop_cmd: 'true',
    stdout_path: join(LOGDIR, name + '.log'), stderr_path: join(LOGDIR, name + '.err'), ...fields,
  })
  const hosts = await makeHosts(a, octets)
  const instances = hosts.length
    ? await a.post(`/applications/${app.id}/instances/`, hosts.map((hostid) => ({ hostid }))) : []
  return { app, instances, logName: name + '.log' }
}

// Own deploy settings: GIT repository url (branch main), deploy_path in
// the hosts' private folder.
export function settingsFor(app, url) {
  return { repository: { type: 'GIT', url, branch: 'main' }, deploy_path: `${PRIV}/${app.name}`, timeout: 60, keep_backups: 3 }
}
