import type { PublicEndpoints } from '../../src/autoconfig/endpoints.ts';

/** Published endpoints with every value distinct, so a mixed-up host or port shows. */
export const ENDPOINTS: PublicEndpoints = {
  webHost: 'example.net',
  mailHost: 'mx.example.net',
  davHost: 'dav.example.net',
  filesHost: 'files.example.net',
  apiHost: 'api.example.net',
  autodiscoverHost: 'autodiscover.example.net',
  autoconfigHost: 'autoconfig.example.net',
  imapPort: 993,
  imapStarttlsPort: 143,
  submissionPort: 587,
  submissionsPort: 465,
  httpsPort: 443,
};

/** The request Outlook posts (as captured in [MS-OXDSCLI] and by Mailu's and Stalwart's tests). */
export function outlookRequest(address: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>${address}</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>
`;
}
