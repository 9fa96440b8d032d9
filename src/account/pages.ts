/** The account pages as HTML: small, no scripts, one stylesheet, every form with its CSRF field. */
import type { AppPasswordRecord, DavCollection, DavShareAccess } from '../store/ports/index.ts';
import { guides, manualSettings, type GuideValues } from './guides.ts';
import { html, type Html } from './html.ts';
import type { OwnCollection, SharingView, Subscription } from './sharing.ts';

export interface Viewer {
  address: string;
  csrf: string;
}

function csrfField(token: string): Html {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}

export function layout(title: string, main: Html, viewer?: Viewer): string {
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Stoa account</title>
<link rel="stylesheet" href="/account/style.css">
</head>
<body>
<header>
  <a class="brand" href="/account">Stoa account</a>
  ${viewer ? html`<nav aria-label="Account">
    <a href="/account">App passwords</a>
    <a href="/account/setup">Set up devices</a>
    <a href="/account/sharing">Sharing</a>
    <form method="post" action="/account/logout">${csrfField(viewer.csrf)}<button type="submit" class="link">Sign out</button></form>
  </nav>` : ''}
</header>
<main>
<h1>${title}</h1>
${main}
</main>
</body>
</html>`.text}\n`;
}

function notice(message: string | undefined): Html {
  return message ? html`<p class="notice" role="alert">${message}</p>` : html``;
}

export function addressPage(message?: string): string {
  return layout('Sign in', html`${notice(message)}
<form method="get" action="/account/login" class="card">
  <label for="address">Email address</label>
  <input id="address" name="address" type="email" autocomplete="username" required autofocus>
  <button type="submit">Next</button>
</form>`);
}

export function passwordPage(options: { address: string; loginToken: string; sso: boolean; message?: string }): string {
  return layout('Sign in', html`${notice(options.message)}
<form method="post" action="/account/login" class="card">
  ${csrfField(options.loginToken)}
  <label for="address">Email address</label>
  <input id="address" name="address" type="email" autocomplete="username" value="${options.address}" required>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
  <button type="submit">Sign in</button>
</form>
${options.sso ? html`<p class="or">or</p>
<p><a class="button" id="sso" href="/account/oidc/start?address=${encodeURIComponent(options.address)}">Sign in with your organisation's account</a></p>` : ''}
<p><a href="/account/login">Use another address</a></p>`);
}

function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'never';
}

export interface CreatedPassword {
  record: AppPasswordRecord;
  secret: string;
  /** The DAVx⁵ set-up link as a QR code (inline SVG). */
  qrSvg: Html;
  davx5Link: string;
}

export function appPasswordsPage(viewer: Viewer, passwords: AppPasswordRecord[], created?: CreatedPassword): string {
  const rows = passwords.map((p) => html`<tr>
    <td>${p.label}</td><td>${p.scopes.join(', ')}</td><td>${when(p.createdAt)}</td>
    <td>${when(p.lastUsedAt)}${p.lastUsedIp ? ` from ${p.lastUsedIp}` : ''}</td>
    <td>${p.revokedAt ? `revoked ${when(p.revokedAt)}` : html`<form method="post" action="/account/app-passwords/${p.id}/revoke">${csrfField(viewer.csrf)}<button type="submit" class="danger" aria-label="Revoke ${p.label}">Revoke</button></form>`}</td>
  </tr>`);
  return layout('App passwords', html`
<p>Signed in as <strong>${viewer.address}</strong>. Mail, calendar, contacts and file clients sign in with an app password: one per device, revocable at any time.</p>
${created ? html`<section class="card created" aria-labelledby="created-title">
  <h2 id="created-title">New app password “${created.record.label}”</h2>
  <p>Type it into the device now: it is shown only once.</p>
  <p><output id="new-password" class="secret">${created.secret}</output></p>
  <figure>${created.qrSvg}<figcaption>On Android, scan this with DAVx⁵ installed: it opens its login with <code>${created.davx5Link}</code>; then type the password above.</figcaption></figure>
</section>` : ''}
<section aria-labelledby="list-title">
<h2 id="list-title">Your app passwords</h2>
${passwords.length ? html`<table>
  <thead><tr><th scope="col">Name</th><th scope="col">Allowed for</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"></th></tr></thead>
  <tbody>${rows}</tbody>
</table>` : html`<p>None yet.</p>`}
</section>
<section aria-labelledby="new-title" class="card">
<h2 id="new-title">Create an app password</h2>
<form method="post" action="/account/app-passwords">
  ${csrfField(viewer.csrf)}
  <label for="label">Device name</label>
  <input id="label" name="label" required maxlength="100" placeholder="e.g. Laptop Thunderbird">
  <fieldset><legend>Allowed for</legend>
    <label><input type="checkbox" name="scopes" value="imap" checked> Mail (IMAP)</label>
    <label><input type="checkbox" name="scopes" value="smtp" checked> Sending (SMTP)</label>
    <label><input type="checkbox" name="scopes" value="dav" checked> Calendars, contacts, files</label>
  </fieldset>
  <button type="submit">Create</button>
</form>
</section>`, viewer);
}

export function setupPage(viewer: Viewer, values: GuideValues): string {
  const sections = guides(values).map((g) => html`<section id="${g.id}" aria-labelledby="${g.id}-title"><h2 id="${g.id}-title">${g.title}</h2>${g.body}</section>`);
  return layout('Set up devices', html`
<p>Most clients only need your address, <code>${values.address}</code>, and an <a href="/account">app password</a>.</p>
${sections}
<section id="profile" aria-labelledby="profile-title" class="card">
<h2 id="profile-title">Apple set-up profile</h2>
<form method="post" action="/account/profile">
  ${csrfField(viewer.csrf)}
  <label for="device">Device name</label>
  <input id="device" name="device" required maxlength="100" value="iPhone">
  <button type="submit">Download profile</button>
</form>
</section>
<section id="manual" aria-labelledby="manual-title">
<h2 id="manual-title">Settings for any other client</h2>
${manualSettings(values)}
</section>`, viewer);
}

const ACCESS: Record<DavShareAccess, string> = { read: 'can view', 'read-write': 'can view and edit' };

function collectionName(collection: DavCollection): string {
  return `${collection.displayName || collection.name} (${collection.kind === 'calendar' ? 'calendar' : 'address book'})`;
}

function ownCollection(viewer: Viewer, { collection, shares }: OwnCollection): Html {
  const field = `share-${collection.id}`;
  const rows = shares.map(({ grant, sharee }) => html`<tr>
    <td>${sharee.userName}</td><td>${ACCESS[grant.access]}</td>
    <td><form method="post" action="/account/sharing/remove">${csrfField(viewer.csrf)}<input type="hidden" name="collection" value="${collection.id}"><input type="hidden" name="sharee" value="${sharee.id}"><button type="submit" class="danger" aria-label="Stop sharing with ${sharee.userName}">Remove</button></form></td>
  </tr>`);
  return html`<section class="card" aria-labelledby="${field}-title">
<h3 id="${field}-title">${collectionName(collection)}</h3>
${shares.length ? html`<table>
  <thead><tr><th scope="col">Shared with</th><th scope="col">Access</th><th scope="col"></th></tr></thead>
  <tbody>${rows}</tbody>
</table>` : html`<p>Not shared.</p>`}
<form method="post" action="/account/sharing/share">
  ${csrfField(viewer.csrf)}
  <input type="hidden" name="collection" value="${collection.id}">
  <label for="${field}-address">Colleague's address</label>
  <input id="${field}-address" name="address" type="email" required>
  <label for="${field}-access">Access</label>
  <select id="${field}-access" name="access"><option value="read">${ACCESS.read}</option><option value="read-write">${ACCESS['read-write']}</option></select>
  <button type="submit">Share</button>
</form>
</section>`;
}

function subscription(viewer: Viewer, { collection, grant, owner }: Subscription): Html {
  return html`<tr>
    <td>${collectionName(collection)}</td><td>${owner ?? 'a former colleague'}</td><td>${ACCESS[grant.access]}</td>
    <td><form method="post" action="/account/sharing/unsubscribe">${csrfField(viewer.csrf)}<input type="hidden" name="collection" value="${collection.id}"><button type="submit" class="danger" aria-label="Remove ${collectionName(collection)} from my account">Remove from my account</button></form></td>
  </tr>`;
}

export function sharingPage(viewer: Viewer, view: SharingView, message?: string): string {
  return layout('Sharing', html`${notice(message)}
<p>Share a calendar or address book with a colleague: it appears in their calendar or contacts app at once, and you can stop sharing at any time.</p>
<section aria-labelledby="own-title">
<h2 id="own-title">Your calendars and address books</h2>
${view.own.map((own) => ownCollection(viewer, own))}
</section>
<section aria-labelledby="shared-title">
<h2 id="shared-title">Shared with you</h2>
${view.sharedWithMe.length ? html`<table>
  <thead><tr><th scope="col">Name</th><th scope="col">Owner</th><th scope="col">You</th><th scope="col"></th></tr></thead>
  <tbody>${view.sharedWithMe.map((s) => subscription(viewer, s))}</tbody>
</table>` : html`<p>Nothing yet.</p>`}
</section>`, viewer);
}

export function errorPage(title: string, message: string): string {
  return layout(title, html`<p class="notice" role="alert">${message}</p><p><a href="/account">Back to your account</a></p>`);
}
