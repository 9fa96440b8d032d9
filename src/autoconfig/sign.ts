/**
 * Signing a configuration profile: a CMS SignedData (RFC 5652) with the plist attached, signed with
 * the server's TLS certificate and key, as Apple devices expect a signed `.mobileconfig` (they show
 * the signer and "Verified" when the chain is trusted). The structure is built with pkijs; the
 * signature itself comes from node:crypto, which signs synchronously and already gives ECDSA
 * signatures as the DER Ecdsa-Sig-Value CMS wants (pkijs's own `sign` is WebCrypto, so async and
 * raw r||s). Signed attributes (content type, signing time, message digest) as OpenSSL and
 * jsrsasign (the `mobileconfig` package) write them.
 */
import { createHash, createPrivateKey, sign, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  AlgorithmIdentifier,
  Attribute,
  Certificate,
  ContentInfo,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignedAndUnsignedAttributes,
  SignedData,
  SignerInfo,
} from 'pkijs';

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha256: '2.16.840.1.101.3.4.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
};

export interface ProfileSigner {
  /** PEM: the signing certificate first, then any intermediates (all are embedded). */
  cert: string;
  /** PEM private key of the first certificate: RSA or EC. */
  key: string;
}

/** DER ContentInfo(SignedData) carrying `plist` as UTF-8, byte for byte. */
export function signProfile(plist: string, signer: ProfileSigner, signingTime = new Date()): Buffer {
  const content = Buffer.from(plist, 'utf8');
  const chain = pemCertificates(signer.cert);
  const leaf = chain[0];
  if (!leaf) throw new Error('no certificate to sign the profile with');
  const key = createPrivateKey(signer.key);
  if (!leaf.checkPrivateKey(key)) throw new Error('the key does not belong to the certificate');
  const signatureAlgorithm = signatureAlgorithmOf(key);
  const certificates = chain.map((c) => Certificate.fromBER(bytes(c.raw)));

  const signedAttrs = new SignedAndUnsignedAttributes({
    type: 0,
    attributes: derSorted([
      new Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
      new Attribute({ type: OID.signingTime, values: [new asn1js.UTCTime({ valueDate: signingTime })] }),
      new Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: bytes(createHash('sha256').update(content).digest()) })] }),
    ]),
  });
  // What is signed is the DER of the attributes with the SET tag, not the [0] they are sent under.
  const toSign = Buffer.from(signedAttrs.toSchema().toBER());
  toSign[0] = 0x31;

  const signerInfo = new SignerInfo({
    version: 1,
    sid: new IssuerAndSerialNumber({ issuer: certificates[0]!.issuer, serialNumber: certificates[0]!.serialNumber }),
    digestAlgorithm: new AlgorithmIdentifier({ algorithmId: OID.sha256 }),
    signedAttrs,
    signatureAlgorithm,
    signature: new asn1js.OctetString({ valueHex: bytes(sign('sha256', toSign, key)) }),
  });

  const encapContentInfo = new EncapsulatedContentInfo({ eContentType: OID.data });
  // Assigned after construction: given to the constructor, pkijs splits the content into a
  // constructed OCTET STRING, which is BER, not DER.
  encapContentInfo.eContent = new asn1js.OctetString({ valueHex: bytes(content) });

  const signedData = new SignedData({
    version: 1,
    digestAlgorithms: [new AlgorithmIdentifier({ algorithmId: OID.sha256 })],
    encapContentInfo,
    certificates,
    signerInfos: [signerInfo],
  });
  const contentInfo = new ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(contentInfo.toSchema().toBER());
}

function signatureAlgorithmOf(key: KeyObject): AlgorithmIdentifier {
  if (key.asymmetricKeyType === 'ec') return new AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 });
  // RFC 5754 §3.2: the parameters of sha256WithRSAEncryption are NULL.
  if (key.asymmetricKeyType === 'rsa') return new AlgorithmIdentifier({ algorithmId: OID.sha256WithRsa, algorithmParams: new asn1js.Null() });
  throw new Error(`cannot sign a profile with a ${key.asymmetricKeyType ?? 'secret'} key`);
}

function pemCertificates(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block));
}

/** DER orders a SET OF by the encodings of its members; verifiers may re-encode and compare. */
function derSorted(attributes: Attribute[]): Attribute[] {
  const encoded = attributes.map((a) => ({ a, der: Buffer.from(a.toSchema().toBER()) }));
  return encoded.sort((x, y) => Buffer.compare(x.der, y.der)).map((x) => x.a);
}

/** A copy in a fresh ArrayBuffer: Node's small Buffers are views into a shared pool. */
function bytes(buffer: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(buffer);
}
