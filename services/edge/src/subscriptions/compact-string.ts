import { sharedString } from '@presence/core';

/**
 * Strings the edge keeps for as long as a dialog lives. The SIP parser hands
 * out slices of the message text, and a V8 slice (13 characters or more)
 * keeps its whole parent alive: one URI kept from a SUBSCRIBE would hold on
 * to the full header text. Other values are built by concatenation (ropes of
 * several objects) or are the same for thousands of dialogs.
 */

/**
 * A flat copy that owns its characters, for values unique to a dialog
 * (Call-ID, URIs, tags). JSON.parse always builds a new sequential string,
 * for any Unicode content, and never a slice.
 */
export function detached(value: string): string {
  return JSON.parse(JSON.stringify(value)) as string;
}

/**
 * The one copy V8 keeps of a string used as a property name, for values many
 * dialogs repeat (presentity, Event, flow token, our Contact): flat, not
 * tied to any message, and shared. V8's string table holds it weakly, so a
 * value no dialog uses any more is collected; unlike a Map of our own, this
 * never needs cleaning up.
 */
export const shared: (value: string) => string = sharedString;
