import { describe, expect, it } from 'vitest';
import { whatsappWindowEnd, whatsappWindowOpen } from './whatsapp';

describe('the WhatsApp reply window', () => {
  const lastInbound = '2026-11-28T10:00:00Z';
  it('is open for 24 hours after the customer last wrote', () => {
    expect(whatsappWindowEnd(lastInbound)?.toISOString()).toBe('2026-11-29T10:00:00.000Z');
    expect(whatsappWindowOpen(lastInbound, new Date('2026-11-29T09:59:59Z'))).toBe(true);
    expect(whatsappWindowOpen(lastInbound, new Date('2026-11-29T10:00:00Z'))).toBe(false);
  });
  it('is closed before the customer ever wrote', () => {
    expect(whatsappWindowOpen(null)).toBe(false);
  });
});
