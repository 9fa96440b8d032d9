/** Autodiscover v2: the JSON pointer to the POX endpoint, and InvalidProtocol for everything else. */
import { autodiscoverV2 } from '../../src/autoconfig/autodiscover-json.ts';
import { ENDPOINTS } from './fixtures.ts';

describe('autodiscoverV2', () => {
  test('AutodiscoverV1, in any case, points at the POX endpoint on the autodiscover host', () => {
    for (const protocol of ['AutodiscoverV1', 'autodiscoverv1', 'AUTODISCOVERV1']) {
      expect(autodiscoverV2(protocol, ENDPOINTS)).toEqual({
        status: 200,
        body: { Protocol: 'AutodiscoverV1', Url: 'https://autodiscover.example.net/autodiscover/autodiscover.xml' },
      });
    }
  });

  test('no protocol at all means AutodiscoverV1', () => {
    expect(autodiscoverV2(undefined, ENDPOINTS).status).toBe(200);
  });

  test('a published HTTPS port other than 443 is part of the URL', () => {
    expect(autodiscoverV2('AutodiscoverV1', { ...ENDPOINTS, httpsPort: 8443 }).body).toEqual({
      Protocol: 'AutodiscoverV1', Url: 'https://autodiscover.example.net:8443/autodiscover/autodiscover.xml',
    });
  });

  test.each(['ActiveSync', 'Ews', 'Rest', 'Substrate', ''])('%p gets 400 InvalidProtocol, worded as Exchange Online words it', (protocol) => {
    expect(autodiscoverV2(protocol, ENDPOINTS)).toEqual({
      status: 400,
      body: { ErrorCode: 'InvalidProtocol', ErrorMessage: `The given protocol value '${protocol}' is invalid. Supported values are 'AutodiscoverV1'` },
    });
  });
});
