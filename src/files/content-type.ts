/**
 * Content-Type by file extension, for what drives usually hold. Clients mostly send none (Finder,
 * the Mini-Redirector) or application/octet-stream, so the name is the better guide.
 */
const TYPES: Record<string, string> = {
  txt: 'text/plain; charset=utf-8', md: 'text/markdown; charset=utf-8', csv: 'text/csv; charset=utf-8', html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8', css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', json: 'application/json', xml: 'application/xml',
  pdf: 'application/pdf', zip: 'application/zip', gz: 'application/gzip', tar: 'application/x-tar', '7z': 'application/x-7z-compressed',
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', svg: 'image/svg+xml', heic: 'image/heic', tif: 'image/tiff', tiff: 'image/tiff',
  mp3: 'audio/mpeg', m4a: 'audio/mp4', wav: 'audio/wav', mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm',
  doc: 'application/msword', dot: 'application/msword', xls: 'application/vnd.ms-excel', ppt: 'application/vnd.ms-powerpoint',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text', ods: 'application/vnd.oasis.opendocument.spreadsheet', odp: 'application/vnd.oasis.opendocument.presentation',
  ics: 'text/calendar; charset=utf-8', vcf: 'text/vcard; charset=utf-8', eml: 'message/rfc822',
};

const GENERIC = new Set(['application/octet-stream', 'application/x-www-form-urlencoded', '']);

export function contentTypeFor(name: string, sent: string | null): string {
  const ext = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  const byName = ext ? TYPES[ext] : undefined;
  if (byName) return byName;
  const client = sent?.trim() ?? '';
  return GENERIC.has(client.toLowerCase()) ? 'application/octet-stream' : client;
}
