/**
 * The scheme XML splunkd asks for with `--scheme` (shape: modinput-fixtures/
 * scheme_without_defaults_and_argument_title.xml). Built from the InputDescription only, so
 * this path loads no HTTP, logging or SDK code: splunkd runs it for every input at start-up.
 */
import { fromAccount } from '../account';
import type { ArgumentDescription, InputDescription } from '../description';
import { element, escapeXmlAttr } from './xml';

function argXml(desc: InputDescription, arg: ArgumentDescription): string {
  // A setting the input's account can supply may be left empty (parseConfig still requires it
  // once the account, if any, is resolved).
  const required = Boolean(arg.required) && !fromAccount(desc, arg.name);
  // Secrets are masked in inputs.conf after the first run, so an edit that leaves them
  // untouched sends nothing for them; requiring them on edit would make every edit fail.
  const requiredOnEdit = required && !arg.secret;
  return [
    `            <arg name="${escapeXmlAttr(arg.name)}">`,
    `                ${element('title', arg.title)}`,
    `                ${element('description', arg.description)}`,
    `                ${element('data_type', arg.type)}`,
    `                ${element('required_on_edit', String(requiredOnEdit))}`,
    `                ${element('required_on_create', String(required))}`,
    '            </arg>',
  ].join('\n');
}

export function schemeXml(desc: InputDescription): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<scheme>',
    `    ${element('title', desc.title)}`,
    `    ${element('description', desc.description)}`,
    // External validation: the live connection check in --validate-arguments.
    '    <use_external_validation>true</use_external_validation>',
    // One process per stanza, so one slow vendor never delays another.
    '    <use_single_instance>false</use_single_instance>',
    '    <streaming_mode>xml</streaming_mode>',
    '    <endpoint>',
    '        <args>',
    ...desc.args.map((a) => argXml(desc, a)),
    '        </args>',
    '    </endpoint>',
    '</scheme>',
    '',
  ].join('\n');
}

/** `<error><message>…</message></error>`: what --validate-arguments prints for the admin. */
export function validationErrorXml(message: string): string {
  return `<error>${element('message', message)}</error>`;
}
