/** The test IdPs' pages: plain HTML forms, usable without JavaScript, at 360 px. */
export const escapeHtml = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function page(title: string, body: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.75rem 0 .25rem}input{width:100%;padding:.5rem;box-sizing:border-box}button{margin-top:1rem;padding:.6rem 1rem}.note{color:#555;font-size:.9rem}</style>
</head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

export const userFields = (defaults: { email?: string } = {}) => `
<label for="email">Email</label><input id="email" name="email" type="email" required value="${escapeHtml(defaults.email ?? '')}" autocomplete="username">
<label for="firstName">First name</label><input id="firstName" name="firstName" value="Test">
<label for="lastName">Last name</label><input id="lastName" name="lastName" value="Person">
<label for="groups">Groups (comma separated)</label><input id="groups" name="groups" value="">
<p class="note">A local test identity provider: it signs in whoever you name here, with real signatures.</p>`;
