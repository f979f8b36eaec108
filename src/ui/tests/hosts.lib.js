// Seeding for the hosts and tasks browser tests: real hosts (OpenSSH sshd
// from t/sshd-hosts.sh on 127.0.0.I), an SSH key credential they accept, an
// agent that can restart them, and 100,000 hosts straight into the test
// database for the list's timing.  Everything runs against the stack of
// t/run-tests.sh (HANGAR_DIR, HANGAR_BIN, HANGAR_TEST_PORT).
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync, writeFileSync, existsSync, chmodSync, rmSync } from 'node:fs'
import { apiAs, ADMIN, unique } from './lib.js'

const SRC = new URL('../../../', import.meta.url).pathname
const DIR = process.env.HANGAR_DIR || ''
const BIN = process.env.HANGAR_BIN || ''
const PORT = Number(process.env.HANGAR_TEST_PORT || 18080)
// t/api's host tests use 20000 + PORT % 10000; these keep clear of them.
export const SSHD_PORT = 21000 + (PORT % 10000)
const SSHDIR = `${DIR}/ui-sshd`
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function need() {
  if (!DIR || !BIN) throw new Error('HANGAR_DIR / HANGAR_BIN not set: run through t/run-tests.sh')
}

function pidOf(file) {
  try { return Number(readFileSync(file, 'utf8').trim()) || 0 } catch { return 0 }
}
function running(pid) {
  if (!pid) return false
  try { process.kill(pid, 0) } catch { return false }
  try { return !/^\S+ \(\S+\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')) } catch { return false }
}
async function waitGone(pid, ms = 30000) {
  const end = Date.now() + ms
  while (running(pid) && Date.now() < end) await sleep(100)
  if (running(pid)) throw new Error(`process ${pid} did not stop`)
}

// What the hosts' power command prints before the harmless stand-in
// (t/sshd-hosts.sh's $HOME/power): ANSI colours and a line, then it waits
// while the file ui-hold exists (hold(): a test sees the task running and
// its first lines arrive live; at most 60 s), then the stand-in's lines.
const POWER = `#!/bin/sh
# hangar UI tests: coloured output, then t/sshd-hosts.sh's power stand-in.
printf '\\033[31mred-alert\\033[0m \\033[1;32mbold-green\\033[0m \\033[38;5;208morange-208\\033[0m\\n'
printf 'plain line on %s\\n' "$(basename "$(dirname "$HOME")")"
i=0
while [ -f "$HOME/../../ui-hold" ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
exec "$HOME/power" "$@"
`

let agent = null	// our agent (a child of this process)

// Start sshd hosts FIRST..LAST and swap the stack's agent for one that
// has power commands (the stack's leaves them unset, as t/api expects).
export async function startLab(first, last) {
  need()
  execFileSync(`${SRC}/t/sshd-hosts.sh`, ['start', SSHDIR, String(first), String(last)],
    { env: { ...process.env, HANGAR_SSHD_PORT: String(SSHD_PORT) }, stdio: 'ignore' })
  writeFileSync(`${SSHDIR}/ui-power`, POWER)
  chmodSync(`${SSHDIR}/ui-power`, 0o755)
  const stackPid = pidOf(`${DIR}/hangar-agent.pid`)
  if (running(stackPid)) { process.kill(stackPid, 'SIGTERM'); await waitGone(stackPid) }
  const conf = `${DIR}/agent-ui.conf`
  rmSync(`${DIR}/agent-ui.pid`, { force: true })
  writeFileSync(conf, readFileSync(`${DIR}/hangar.conf`, 'utf8') + `
agent_pid_file = ${DIR}/agent-ui.pid
agent_log = ${DIR}/log/agent-ui.log
known_hosts = ${DIR}/known_hosts-ui
ssh_timeout = 5
power_restart_cmd = $HOME/../../ui-power restart
power_stop_cmd = $HOME/../../ui-power stop
`)
  agent = spawn(`${BIN}/hangar-agent`, ['-c', conf], { stdio: 'ignore' })
  const end = Date.now() + 15000
  while (!existsSync(`${DIR}/agent-ui.pid`) && Date.now() < end) await sleep(100)
  if (!existsSync(`${DIR}/agent-ui.pid`)) throw new Error('the UI tests\' agent did not start (log/agent-ui.log)')
}

// While held, the hosts' power commands wait after their first lines.
export function hold(on) {
  if (on) writeFileSync(`${SSHDIR}/ui-hold`, '')
  else rmSync(`${SSHDIR}/ui-hold`, { force: true })
}

// Stop our agent and the sshd hosts; the stack's agent runs again.
export async function stopLab() {
  hold(false)
  if (agent && agent.exitCode === null) {
    const pid = agent.pid
    agent.kill('SIGTERM')
    await waitGone(pid, 60000).catch(() => agent.kill('SIGKILL'))
  }
  agent = null
  try {
    execFileSync(`${SRC}/t/sshd-hosts.sh`, ['stop', SSHDIR],
      { env: { ...process.env, HANGAR_SSHD_PORT: String(SSHD_PORT) }, stdio: 'ignore' })
  } catch { /* nothing left to stop */ }
  if (!running(pidOf(`${DIR}/hangar-agent.pid`))) {
    execFileSync(`${BIN}/hangar-agent`, ['-d', '-c', `${DIR}/hangar.conf`], { stdio: 'ignore' })
  }
}

// PHY_HOSTs at 127.0.0.FIRST..LAST that the agent can log in to; returns
// [{ id, name }] (the names start with prefix).
export async function labHosts(prefix, first, last) {
  const a = await apiAs(ADMIN.username, ADMIN.password)
  const cred = await a.post('/applications/repository-credentials/ssh-key/', {
    name: unique('uikey'), username: 'root', private_key: readFileSync(`${SSHDIR}/client_key`, 'utf8'),
  })
  const hosts = []
  for (let i = first; i <= last; i++) {
    hosts.push(await a.post('/hosts/', {
      name: `${prefix}-h${i}`, host_type: 'PHY_HOST', ssh_port: SSHD_PORT, ssh_user: 'root',
      credential: cred.id, ip_address: [{ address: `127.0.0.${i}` }],
    }))
  }
  return hosts
}

// The lines the power stand-in recorded on host I ("restart EPOCH PID").
export function powerRecord(i) {
  try { return readFileSync(`${SSHDIR}/h${i}/home/record`, 'utf8').trim().split('\n').filter(Boolean) } catch { return [] }
}

// SQL straight into the stack's database (its MariaDB socket).
export function sql(text) {
  need()
  return execFileSync('mariadb', ['--no-defaults', '-S', `${DIR}/mysql.sock`, '-uroot', '-N', '-B', 'hangar'],
    { input: text, encoding: 'utf8', maxBuffer: 1 << 24 })
}

// N hosts named PREFIX-000001..., one private address each, in a few
// set-based INSERTs (the triggers keep the name and address indexes).
// Once per stack: a second call finds them.
export function seedHosts(prefix, n) {
  const have = Number(sql(`SELECT COUNT(*) FROM hosts WHERE name LIKE '${prefix}-%'`).trim())
  if (have >= n) return have
  const chunk = 20000
  for (let from = 1; from <= n; from += chunk) {
    const to = Math.min(n, from + chunk - 1)
    sql(`INSERT INTO hosts (name, host_type, status, os_status, os_type, cpu, memory, location)
      SELECT CONCAT('${prefix}-', LPAD(seq, 6, '0')),
             ELT(1 + seq % 6, 'ALI_ECS', 'PHY_HOST', 'TECENT_CVM', 'TECENT_CPM', 'CLOUDSTACK', 'CLOUDSTACK_OFFICE'),
             ELT(1 + seq % 4, 'raw', 'inited', 'attached', 'offline'),
             ELT(1 + seq % 4, 'unknown', 'running', 'stopped', 'running'),
             'centos-7', 2 << (seq % 4), 2048 << (seq % 4),
             ELT(1 + seq % 4, 'hangzhou', 'shanghai', 'beijing', 'shenzhen')
      FROM seq_${from}_to_${to};
      INSERT INTO host_addresses (host_id, address)
      SELECT h.id, CONCAT('10.', (s.seq >> 16) & 255, '.', (s.seq >> 8) & 255, '.', s.seq & 255)
      FROM seq_${from}_to_${to} s JOIN hosts h ON h.name = CONCAT('${prefix}-', LPAD(s.seq, 6, '0'));`)
  }
  sql('ANALYZE TABLE hosts, host_addresses;')
  return Number(sql(`SELECT COUNT(*) FROM hosts WHERE name LIKE '${prefix}-%'`).trim())
}

// A user with the hosts module and view_host on the given hosts only.
export async function hostViewer(user, hostIds, perm = { view_host: true }) {
  const a = await apiAs(ADMIN.username, ADMIN.password)
  await a.post(`/users/${user.id}/system/perms/`,
    { module_name: 'resource', permissions: { enable_host_mgmt: true } })
  await a.post(`/users/${user.id}/host/perms/`,
    { authorizations: hostIds.map((id) => ({ id, permission: perm })) })
}
