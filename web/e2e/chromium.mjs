// Debian's Chromium, as every browser run here starts it (tests, Lighthouse, screenshots). The
// background-networking flags matter: this machine's closed network refuses Chromium's own calls.
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
