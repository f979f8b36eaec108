// ANSI SGR escapes (colours, bold, ...) in a task's output, turned into
// segments a template renders as <span :class="seg.cls">{{ seg.text }}</span>
// -- text nodes, never HTML.  Colours are classes of ansi.css: 16 named
// colours and the 256-colour palette (38;5;N / 48;5;N); a 24-bit colour
// (38;2;R;G;B) is shown as the nearest palette colour, as ansi.css cannot
// hold 16 million classes and the CSP forbids inline styles.
// Other escape sequences (cursor moves, titles) are dropped.

// CSI ... final byte, OSC ... BEL/ST, and lone two-byte escapes.
// eslint-disable-next-line no-control-regex
const ESC_RE = /\x1b\[([0-9;:?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g

function cube(v) { return v < 48 ? 0 : v < 115 ? 1 : Math.min(5, Math.floor((v - 35) / 40)) }

// The palette index nearest to a 24-bit colour: the 6x6x6 cube or the grays.
export function nearest256(r, g, b) {
  const levels = [0, 95, 135, 175, 215, 255]
  const ci = 16 + 36 * cube(r) + 6 * cube(g) + cube(b)
  const cd = (levels[cube(r)] - r) ** 2 + (levels[cube(g)] - g) ** 2 + (levels[cube(b)] - b) ** 2
  const avg = Math.round((r + g + b) / 3)
  const gi = Math.min(23, Math.max(0, Math.round((avg - 8) / 10)))
  const gv = 8 + gi * 10
  const gd = (gv - r) ** 2 + (gv - g) ** 2 + (gv - b) ** 2
  return gd < cd ? 232 + gi : ci
}

const RESET = { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false }

// Apply one SGR parameter list to the state; returns the new state.
function applySgr(st, params) {
  const p = params === '' ? [0] : params.split(/[;:]/).map((x) => (x === '' ? 0 : Number(x)))
  const s = { ...st }
  for (let i = 0; i < p.length; i++) {
    const n = p[i]
    if (n === 0) Object.assign(s, RESET)
    else if (n === 1) s.bold = true
    else if (n === 2) s.dim = true
    else if (n === 3) s.italic = true
    else if (n === 4) s.underline = true
    else if (n === 7) s.inverse = true
    else if (n === 22) { s.bold = false; s.dim = false }
    else if (n === 23) s.italic = false
    else if (n === 24) s.underline = false
    else if (n === 27) s.inverse = false
    else if (n >= 30 && n <= 37) s.fg = n - 30
    else if (n >= 90 && n <= 97) s.fg = n - 90 + 8
    else if (n === 39) s.fg = null
    else if (n >= 40 && n <= 47) s.bg = n - 40
    else if (n >= 100 && n <= 107) s.bg = n - 100 + 8
    else if (n === 49) s.bg = null
    else if (n === 38 || n === 48) {
      let c = null
      if (p[i + 1] === 5 && i + 2 < p.length) { c = p[i + 2]; i += 2 }
      else if (p[i + 1] === 2 && i + 4 < p.length) { c = nearest256(p[i + 2], p[i + 3], p[i + 4]); i += 4 }
      else break	// malformed: ignore the rest
      if (Number.isInteger(c) && c >= 0 && c <= 255) s[n === 38 ? 'fg' : 'bg'] = c
    }
  }
  return s
}

function classes(st) {
  let fg = st.fg, bg = st.bg
  if (st.inverse) { [fg, bg] = [bg ?? 'def', fg ?? 'def'] }
  const c = []
  if (fg !== null) c.push(fg === 'def' ? 'hg-ansi-fg-inv' : `hg-ansi-fg-${st.bold && fg < 8 ? fg + 8 : fg}`)
  if (bg !== null) c.push(bg === 'def' ? 'hg-ansi-bg-inv' : `hg-ansi-bg-${bg}`)
  if (st.bold) c.push('hg-ansi-bold')
  if (st.dim) c.push('hg-ansi-dim')
  if (st.italic) c.push('hg-ansi-italic')
  if (st.underline) c.push('hg-ansi-underline')
  return c.join(' ')
}

// One line of output -> [{ text, cls }].  `state` carries the colours from
// line to line (a colour set on one line lasts until reset, as in a
// terminal); pass the returned `state` to the next line of the same host.
export function parseAnsi(text, state = RESET) {
  const segs = []
  let st = state, last = 0, m
  ESC_RE.lastIndex = 0
  const push = (t) => {
    if (!t) return
    const cls = classes(st)
    const prev = segs[segs.length - 1]
    if (prev && prev.cls === cls) prev.text += t
    else segs.push({ text: t, cls })
  }
  while ((m = ESC_RE.exec(text)) !== null) {
    push(text.slice(last, m.index))
    if (m[2] === 'm' && m[1] !== undefined && !m[1].startsWith('?')) st = applySgr(st, m[1])
    last = ESC_RE.lastIndex
  }
  // eslint-disable-next-line no-control-regex
  push(text.slice(last).replace(/\x1b/g, ''))
  return { segs, state: st }
}

export const ANSI_RESET = RESET
