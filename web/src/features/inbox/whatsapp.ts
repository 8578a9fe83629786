// WhatsApp lets a business write freely only within 24 hours of the customer's last message; after
// that only approved templates go out (and the API refuses a free reply).
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

/// When the free-reply window closes, or null when there is none (no inbound message yet).
export function whatsappWindowEnd(lastInboundAt: string | null | undefined): Date | null {
  if (!lastInboundAt) return null;
  return new Date(new Date(lastInboundAt).getTime() + WHATSAPP_WINDOW_MS);
}

export function whatsappWindowOpen(lastInboundAt: string | null | undefined, now: Date = new Date()): boolean {
  const end = whatsappWindowEnd(lastInboundAt);
  return end !== null && now < end;
}
