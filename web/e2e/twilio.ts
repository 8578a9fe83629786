import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/// A request Confide made to Twilio's API, as the stand-in received it.
export interface TwilioRequest {
  path: string;
  authorization: string;
  form: URLSearchParams;
}

/// Twilio's Messages API on the port the browser tests' stack points at: answers each send with a
/// message SID, and keeps every request for the test to check.
export async function twilioStandIn(port = Number(process.env.CONFIDE_E2E_TWILIO_PORT ?? 3111)) {
  const requests: TwilioRequest[] = [];
  let sent = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', authorization: req.headers.authorization ?? '', form: new URLSearchParams(body) });
      sent += 1;
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sid: `SM${String(sent).padStart(32, '0')}`, status: 'queued' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    requests,
    sentTo: (phone: string) => requests.filter((r) => r.form.get('To') === phone),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/// `X-Twilio-Signature`: HMAC-SHA1 of the URL and the sorted parameters, keyed with the auth token.
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((text, key) => text + key + params[key], url);
  return createHmac('sha1', authToken).update(data).digest('base64');
}
