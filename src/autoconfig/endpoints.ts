import type { Config } from '../config/schema.ts';

/** What clients are told: host names and ports as published, not as bound. */
export interface PublicEndpoints {
  /** The main host: the account page. */
  webHost: string;
  mailHost: string;
  davHost: string;
  filesHost: string;
  apiHost: string;
  autodiscoverHost: string;
  autoconfigHost: string;
  imapPort: number;
  imapStarttlsPort: number;
  submissionPort: number;
  submissionsPort: number;
  httpsPort: number;
}

export function publicEndpoints(config: Config): PublicEndpoints {
  const host = config.server.hostname;
  const p = config.public;
  return {
    webHost: host,
    mailHost: p.mail_host || host,
    davHost: p.dav_host || `dav.${host}`,
    filesHost: p.files_host || `files.${host}`,
    apiHost: p.api_host || `api.${host}`,
    autodiscoverHost: `autodiscover.${host}`,
    autoconfigHost: `autoconfig.${host}`,
    imapPort: p.imap_port,
    imapStarttlsPort: p.imap_starttls_port,
    submissionPort: p.submission_port,
    submissionsPort: p.submissions_port,
    httpsPort: p.https_port,
  };
}
