/**
 * Set-up instructions for each client, filled with the signed-in user's own values: the same
 * published hosts and ports that autodiscover, autoconfig, the Apple profile and `stoa dns` give.
 */
import type { PublicEndpoints } from '../autoconfig/endpoints.ts';
import { davUrl, filesUrl, httpsUrl, imapServers, type MailServer, submissionServers } from '../autoconfig/services.ts';
import { html, type Html } from './html.ts';

export interface GuideValues {
  address: string;
  tenantSlug: string;
  endpoints: PublicEndpoints;
}

export interface Guide {
  id: string;
  title: string;
  body: Html;
}

const security = (s: MailServer) => (s.socket === 'SSL' ? 'SSL/TLS' : 'STARTTLS');

/** What DAVx⁵ opens from a scanned code: its login screen with the base URL and user name filled in. */
export function davx5Link(v: GuideValues): string {
  const e = v.endpoints;
  return `caldavs://${encodeURIComponent(v.address)}@${e.davHost}${e.httpsPort === 443 ? '' : `:${e.httpsPort}`}/`;
}

/** The host, port and security of every service, for clients that ask for them by hand. */
export function manualSettings(v: GuideValues): Html {
  const e = v.endpoints;
  const [imap, smtp] = [imapServers(e)[0], submissionServers(e)[0]];
  return html`<dl class="settings">
    <dt>User name</dt><dd><code>${v.address}</code></dd>
    <dt>Password</dt><dd>an app password from the <a href="/account">App passwords</a> page (never your account password)</dd>
    ${imap ? html`<dt>Incoming mail (IMAP)</dt><dd><code>${imap.host}</code>, port <code>${imap.port}</code>, ${security(imap)}</dd>` : ''}
    ${smtp ? html`<dt>Outgoing mail (SMTP)</dt><dd><code>${smtp.host}</code>, port <code>${smtp.port}</code>, ${security(smtp)}, authentication: normal password</dd>` : ''}
    <dt>Calendars (CalDAV)</dt><dd><code>${davUrl(e, v.tenantSlug, 'calendar')}</code></dd>
    <dt>Contacts (CardDAV)</dt><dd><code>${davUrl(e, v.tenantSlug, 'contacts')}</code></dd>
    <dt>Files (WebDAV)</dt><dd><code>${filesUrl(e, v.tenantSlug)}</code></dd>
  </dl>`;
}

export function guides(v: GuideValues): Guide[] {
  const e = v.endpoints;
  const files = filesUrl(e, v.tenantSlug);
  return [
    {
      id: 'outlook',
      title: 'Outlook',
      body: html`<ol>
        <li>Choose <em>File → Add account</em> and type <code>${v.address}</code>.</li>
        <li>Outlook finds the server settings by itself. If it asks for the account type, choose <em>IMAP</em>.</li>
        <li>When it asks for a password, give an app password.</li>
      </ol>`,
    },
    {
      id: 'thunderbird',
      title: 'Thunderbird',
      body: html`<ol>
        <li>Choose <em>Account Settings → Account Actions → Add Mail Account</em>, type your name, <code>${v.address}</code> and an app password.</li>
        <li>Thunderbird finds the IMAP and SMTP settings by itself; choose <em>Done</em>.</li>
        <li>Calendars: <em>New Calendar → On the Network</em>, user name <code>${v.address}</code>, location <code>${davUrl(e, v.tenantSlug, 'calendar')}</code>.
          Contacts: <em>Address Book → New CardDAV Address Book</em> with <code>${davUrl(e, v.tenantSlug, 'contacts')}</code>.</li>
      </ol>`,
    },
    {
      id: 'apple',
      title: 'iPhone, iPad and Mac',
      body: html`<ol>
        <li>On the device itself, download the set-up profile below. It holds mail, calendars and contacts, and a new app password made for that device.</li>
        <li>iPhone and iPad: open <em>Settings → Profile Downloaded → Install</em>. Mac: open <em>System Settings → Privacy &amp; Security → Profiles</em>.</li>
      </ol>`,
    },
    {
      id: 'android',
      title: 'Android (DAVx⁵)',
      body: html`<ol>
        <li>Mail: add an IMAP account in your mail app with the settings below.</li>
        <li>Calendars and contacts: in DAVx⁵ choose <em>+ → Login with URL and user name</em>, base URL <code>${httpsUrl(e.davHost, e.httpsPort, '/')}</code>,
          user name <code>${v.address}</code> and an app password, or scan the code shown with a new app password.</li>
      </ol>`,
    },
    {
      id: 'windows',
      title: 'Windows: files as a drive',
      body: html`<p>In a command prompt (it asks for the password: give an app password):</p>
        <pre><code>net use S: ${files} /user:${v.address} *</code></pre>`,
    },
    {
      id: 'finder',
      title: 'macOS Finder: files',
      body: html`<p>Choose <em>Go → Connect to Server</em> (⌘K), enter <code>${files}</code>, then <code>${v.address}</code> and an app password.</p>`,
    },
  ];
}
