/**
 * Handlebars templates for the text formats (systemd unit, launchd plist, env files). Templates are
 * compiled with escaping off: every value goes through a helper named after the format it lands in,
 * and a test checks that no template interpolates a bare value.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { TEMPLATES_DIR } from '../paths.js';
import { shellWord, systemdText, systemdWord, xmlText } from './escape.js';

const hb = Handlebars.create();
hb.registerHelper('systemdWord', (v: unknown) => systemdWord(String(v)));
hb.registerHelper('systemdText', (v: unknown) => systemdText(String(v)));
hb.registerHelper('xml', (v: unknown) => xmlText(String(v)));
hb.registerHelper('shellWord', (v: unknown) => shellWord(String(v)));
/** Names (buddy names, variable names) are checked, not escaped: they must need no escaping. */
hb.registerHelper('ident', (v: unknown) => {
  if (typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(v)) throw new Error(`not a plain name: ${String(v)}`);
  return v;
});
/** Numbers are the one thing safe in any format; refuse anything else. */
hb.registerHelper('int', (v: unknown) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`not a number: ${String(v)}`);
  return String(Math.round(v));
});

export const TEMPLATE_NAMES = ['systemd.service', 'launchd.plist', 'shell.env'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

const compiled = new Map<TemplateName, Handlebars.TemplateDelegate>();

export function templatePath(name: TemplateName): string {
  return join(TEMPLATES_DIR, `${name}.hbs`);
}

export function renderTemplate(name: TemplateName, context: object): string {
  let template = compiled.get(name);
  if (!template) {
    template = hb.compile(readFileSync(templatePath(name), 'utf8'), { noEscape: true, strict: true });
    compiled.set(name, template);
  }
  return template(context);
}
