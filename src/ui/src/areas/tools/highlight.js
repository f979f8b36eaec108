// A line's text cut into pieces around each occurrence of the keyword,
// compared case-insensitively as the API does: [{ text, hit }].  The page
// renders them as text in spans and marks, never as markup: the text is
// the bastion's, verbatim.
export function pieces(text, keyword) {
  const s = String(text ?? '')
  const k = String(keyword ?? '')
  if (!k) return [{ text: s, hit: false }]
  const kl = k.toLowerCase()
  const out = []
  let from = 0
  let i = 0
  // Character by character, so that a letter whose lower case has another
  // length cannot shift the cut.
  while (i + k.length <= s.length) {
    if (s.slice(i, i + k.length).toLowerCase() === kl) {
      if (i > from) out.push({ text: s.slice(from, i), hit: false })
      out.push({ text: s.slice(i, i + k.length), hit: true })
      i += k.length
      from = i
    } else {
      i++
    }
  }
  if (from < s.length) out.push({ text: s.slice(from), hit: false })
  return out
}

// The list's count, with "+" when the API says it is a lower bound
// (count_exact false: more than that many match).
export function countText(count, exact, locale) {
  const n = Number(count || 0).toLocaleString(locale === 'zh-CN' ? 'zh-CN' : 'en-US')
  return exact === false ? n + '+' : n
}
