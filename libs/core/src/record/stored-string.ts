/**
 * Strings a process keeps for as long as a record lives, made as small as
 * V8 allows. A string built by concatenation is a rope (one 32-byte object
 * per `+`), and a slice of 13 characters or more keeps its whole parent
 * alive; values decoded from a message are fresh copies even when thousands
 * of records repeat them.
 */

/**
 * The one copy V8 keeps of a string used as a property name, for values
 * many records repeat (presentity, event package, status, edge id): flat,
 * tied to no message, shared. V8's string table holds it weakly, so a value
 * no record uses any more is collected and nothing needs cleaning up.
 */
export function sharedString(value: string): string {
  // A dictionary-mode object, not a literal: a literal's computed key adds a
  // hidden-class transition per distinct value to the one map every `{}`
  // starts from, and with thousands of values each call cost ~1 µs or more.
  const holder = Object.create(null) as Record<string, number>;
  holder[value] = 0;
  for (const key in holder) return key;
  return value;
}

/**
 * The same characters, flat: reading a character makes V8 flatten a rope in
 * place, and the collector then drops its parts (and the message text a
 * slice among them kept alive). About 0.3 µs, paid once per stored record.
 */
export function flatString(value: string): string {
  value.charCodeAt(0);
  return value;
}
