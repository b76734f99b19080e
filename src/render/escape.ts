/**
 * Escaping for every text format buddy-init writes. Each function either returns text that the target
 * format reads back as exactly `value`, or refuses the value.
 */

function refuseControl(value: string, where: string): void {
  if (/[\0-\x08\x0a-\x1f\x7f]/.test(value)) {
    throw new Error(`${JSON.stringify(value)} cannot go into ${where}: it contains a control character`);
  }
}

/**
 * One word of a systemd command line or a quoted assignment (systemd.syntax(7), systemd.service(5)):
 * `%` starts a specifier and `$` a variable, so both are doubled; quotes and backslashes are escaped
 * inside double quotes.
 */
export function systemdWord(value: string): string {
  refuseControl(value, 'a systemd unit');
  const escaped = value.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A plain systemd setting value (Description=, WorkingDirectory=): only specifiers are special. */
export function systemdText(value: string): string {
  refuseControl(value, 'a systemd unit');
  return value.replace(/%/g, '%%');
}

/** Character data or an attribute value in XML (a launchd plist). */
export function xmlText(value: string): string {
  refuseControl(value.replace(/\t/g, ' '), 'a plist');
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export { shellWord } from '../runtime/shared/shell.js';
