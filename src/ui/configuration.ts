/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The add-on's Configuration page (default/data/ui/views/configuration.xml loads the bundle of
 * this file as appserver/static/configuration.js). Tabs: Inputs (list, add, edit, clone,
 * enable/disable, delete, test connection), Proxy, Logging. The input forms come from the input
 * descriptions, the same list that builds the scheme XML and inputs.conf.spec.
 *
 * Splunk loads dashboard scripts through RequireJS before the panels exist, the test harness with
 * a plain <script>: either way the page waits for its mount element and needs no loader.
 * Everything is built with textContent: nothing from splunkd is ever parsed as HTML.
 */
import type { ArgumentDescription, InputDescription } from '../core/description';
import { descriptionsOf } from '../core/source-module';
import { SOURCE_MODULES } from '../sources';
import {
  checkForm, initialForm, listInputs, loadLogLevel, loadProxy, LOG_LEVELS, removeInput, saveInput, saveLogLevel, saveProxy,
  setInputDisabled, testConnection, type FormMode, type InputForm, type InputRecord, type ProxyForm,
} from './model';
import { SplunkError, SplunkRest, webContext } from './rest';

/** The module list's descriptions; its lazy loaders (collectors, Node-only) are stubs in the page's bundle. */
export const DESCRIPTIONS: readonly InputDescription[] = descriptionsOf(SOURCE_MODULES);

export const MOUNT_ID = 'ta-zerotrust-config';

type Attrs = Record<string, string | boolean | ((e: Event) => void)>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | undefined | false)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k, v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false) el.setAttribute(k, v);
  }
  for (const c of children) if (c !== undefined && c !== false) el.append(c);
  return el;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

class Page {
  private tab: 'inputs' | 'proxy' | 'logging' = 'inputs';
  private readonly banner = h('div', { class: 'tazt-msg', role: 'alert', hidden: true });
  private readonly body = h('div', { class: 'tazt-body' });
  private readonly tabs = h('div', { class: 'tazt-tabs', role: 'tablist' });

  constructor(private readonly root: HTMLElement, private readonly rest: SplunkRest) {}

  start(): void {
    // Styles come from configuration.css (the view's stylesheet), not an inline <style>, which a
    // content security policy may refuse.
    this.root.replaceChildren(h('div', { class: 'tazt' }, this.tabs, this.banner, this.body));
    void this.show('inputs');
  }

  private say(kind: 'error' | 'success', text: string): void {
    this.banner.className = `tazt-msg tazt-${kind}`;
    this.banner.textContent = text;
    this.banner.hidden = false;
  }

  private clear(): void {
    this.banner.hidden = true;
    this.banner.textContent = '';
  }

  private async show(tab: Page['tab'], keepMessage = false): Promise<void> {
    this.tab = tab;
    if (!keepMessage) this.clear();
    this.tabs.replaceChildren(...(['inputs', 'proxy', 'logging'] as const).map((t) =>
      h('button', { type: 'button', role: 'tab', class: 'tazt-tab', 'aria-selected': String(t === tab), click: () => void this.show(t) },
        { inputs: 'Inputs', proxy: 'Proxy', logging: 'Logging' }[t])));
    this.body.replaceChildren(h('p', { class: 'tazt-loading' }, 'Loading…'));
    try {
      if (tab === 'inputs') await this.inputsTab();
      else if (tab === 'proxy') await this.proxyTab();
      else await this.loggingTab();
    } catch (e) {
      this.body.replaceChildren();
      this.say('error', errorText(e));
    }
  }

  // ---- Inputs ----

  private async inputsTab(): Promise<void> {
    const inputs = await listInputs(this.rest, DESCRIPTIONS);
    if (this.tab !== 'inputs') return;
    const type = h('select', { name: 'new_input_type', 'aria-label': 'Input type' },
      ...DESCRIPTIONS.map((d) => h('option', { value: d.scheme }, d.title)));
    const toolbar = h('div', { class: 'tazt-toolbar' }, type,
      h('button', { type: 'button', class: 'tazt-primary', click: () => this.inputForm(DESCRIPTIONS.find((d) => d.scheme === type.value)!, { kind: 'create' }) }, 'Add input'));
    const rows = inputs.map((i) => this.inputRow(i));
    const table = h('table', { class: 'tazt-table' },
      h('thead', {}, h('tr', {}, ...['Name', 'Type', 'Interval', 'Index', 'Status', 'Actions'].map((c) => h('th', {}, c)))),
      h('tbody', {}, ...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '6', class: 'tazt-empty' }, 'No inputs yet. Choose a type and select Add input.'))])));
    this.body.replaceChildren(toolbar, table);
  }

  private inputRow(input: InputRecord): HTMLTableRowElement {
    const desc = DESCRIPTIONS.find((d) => d.scheme === input.scheme)!;
    const actions = h('td', { class: 'tazt-actions' });
    const row = h('tr', { 'data-input': `${input.scheme}://${input.name}` },
      h('td', {}, input.name), h('td', {}, desc.title), h('td', {}, input.values.interval ?? ''), h('td', {}, input.values.index || 'default'),
      h('td', {}, h('span', { class: input.disabled ? 'tazt-off' : 'tazt-on' }, input.disabled ? 'Disabled' : 'Enabled')),
      actions);
    const act = (label: string, run: () => void) => h('button', { type: 'button', class: 'tazt-link', click: run }, label);
    const normal = () => actions.replaceChildren(
      act('Edit', () => this.inputForm(desc, { kind: 'edit', input })),
      act('Clone', () => this.inputForm(desc, { kind: 'clone', input })),
      act(input.disabled ? 'Enable' : 'Disable', () => void this.run(
        () => setInputDisabled(this.rest, input, !input.disabled),
        `${input.scheme}://${input.name} ${input.disabled ? 'enabled' : 'disabled'}.`)),
      act('Delete', () => actions.replaceChildren(
        h('span', {}, `Delete ${input.name} and its stored secrets? `),
        act('Confirm delete', () => void this.run(() => removeInput(this.rest, desc, input), `${input.scheme}://${input.name} deleted.`)),
        act('Cancel', normal))),
    );
    normal();
    return row;
  }

  /** Runs a change, then shows the list again with the outcome. */
  private async run(change: () => Promise<void>, done: string): Promise<void> {
    this.clear();
    try {
      await change();
      await this.show('inputs');
      this.say('success', done);
    } catch (e) {
      this.say('error', errorText(e));
    }
  }

  private field(arg: Pick<ArgumentDescription, 'name' | 'title' | 'description' | 'type' | 'choices' | 'required'> & { secret?: boolean },
    value: string, secretHint?: string): HTMLElement {
    const id = `tazt-f-${arg.name}`;
    let control: HTMLElement;
    if (arg.secret) {
      control = h('input', { id, name: arg.name, type: 'password', autocomplete: 'new-password', value: '', ...(secretHint ? { placeholder: secretHint } : {}) });
    } else if (arg.type === 'boolean') {
      control = h('input', { id, name: arg.name, type: 'checkbox', checked: value === '1' || /^(true|t|yes|y|on)$/i.test(value) });
    } else if (arg.choices) {
      control = h('select', { id, name: arg.name },
        ...(arg.required ? [] : [h('option', { value: '' }, '(not set)')]),
        ...arg.choices.map((c) => h('option', { value: c, selected: c === value }, c)));
    } else {
      control = h('input', { id, name: arg.name, type: 'text', value, spellcheck: 'false' });
    }
    return h('div', { class: 'tazt-field', 'data-field': arg.name },
      h('label', { for: id }, arg.title, arg.required ? h('span', { class: 'tazt-req' }, ' *') : undefined),
      control,
      h('div', { class: 'tazt-help' }, arg.description),
      h('div', { class: 'tazt-field-error', role: 'alert', hidden: true }));
  }

  private inputForm(desc: InputDescription, mode: FormMode): void {
    this.clear();
    const init = initialForm(desc, mode);
    const title = mode.kind === 'create' ? `Add ${desc.title} input`
      : mode.kind === 'edit' ? `Edit ${desc.scheme}://${mode.input.name}` : `Clone ${desc.scheme}://${mode.input.name}`;
    const hint = (a: ArgumentDescription) => {
      if (mode.kind === 'create') return undefined;
      const stored = (mode.input.values[a.name] ?? '') !== '';
      if (!stored) return undefined;
      return mode.kind === 'edit' ? 'Stored. Leave empty to keep it.' : `Leave empty to use the secret of ${mode.input.name}.`;
    };
    const basics = [
      mode.kind === 'edit' ? undefined : this.field({ name: 'name', title: 'Name', type: 'string', required: true, description: `Unique name of this input; the stanza is ${desc.scheme}://<name>.` }, init.name),
      this.field({ name: 'interval', title: 'Interval', type: 'string', required: true, description: 'Seconds between runs, or a cron expression.' }, init.interval),
      this.field({ name: 'index', title: 'Index', type: 'string', description: 'Index for the events. Empty: the default index.' }, init.index),
    ];
    const argField = (a: ArgumentDescription) => this.field(a, a.secret ? '' : init.args[a.name] ?? '', a.secret ? hint(a) : undefined);
    const result = h('div', { class: 'tazt-test', role: 'status', hidden: true });
    const form = h('form', { class: 'tazt-form', novalidate: true },
      h('h3', {}, title),
      ...basics,
      ...desc.args.filter((a) => !a.advanced).map(argField),
      h('details', {}, h('summary', {}, 'Advanced settings'), ...desc.args.filter((a) => a.advanced).map(argField)),
      result,
      h('div', { class: 'tazt-buttons' },
        h('button', { type: 'submit', class: 'tazt-primary' }, 'Save'),
        h('button', { type: 'button', name: 'test', click: () => void this.testInput(form, desc, mode, result) }, 'Test connection'),
        h('button', { type: 'button', click: () => void this.show('inputs') }, 'Cancel')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.saveInputForm(form, desc, mode);
    });
    this.body.replaceChildren(form);
  }

  private readInputForm(form: HTMLFormElement, desc: InputDescription, mode: FormMode): InputForm {
    const value = (name: string) => {
      const el = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
      if (!el) return '';
      if (el instanceof HTMLInputElement && el.type === 'checkbox') return el.checked ? '1' : '0';
      return el.value;
    };
    const f: InputForm = {
      name: mode.kind === 'edit' ? mode.input.name : value('name'),
      interval: value('interval'),
      index: value('index'),
      args: {},
      secrets: {},
    };
    for (const a of desc.args) (a.secret ? f.secrets : f.args)[a.name] = value(a.name);
    return f;
  }

  private fieldErrors(form: HTMLFormElement, e: unknown): boolean {
    for (const el of form.querySelectorAll<HTMLElement>('.tazt-field-error')) {
      el.hidden = true;
      el.textContent = '';
    }
    const field = e instanceof SplunkError ? e.field : undefined;
    const slot = field ? form.querySelector<HTMLElement>(`[data-field="${CSS_ESCAPE(field)}"] .tazt-field-error`) : null;
    if (!slot) return false;
    slot.textContent = errorText(e);
    slot.hidden = false;
    const details = slot.closest('details');
    if (details) details.open = true;
    return true;
  }

  private busy(form: HTMLFormElement, on: boolean): void {
    for (const b of form.querySelectorAll('button')) b.disabled = on;
    form.classList.toggle('tazt-busy', on);
  }

  private async saveInputForm(form: HTMLFormElement, desc: InputDescription, mode: FormMode): Promise<void> {
    this.clear();
    const values = this.readInputForm(form, desc, mode);
    try {
      checkForm(desc, mode, values);
    } catch (e) {
      this.fieldErrors(form, e);
      this.say('error', errorText(e));
      return;
    }
    this.fieldErrors(form, undefined);
    this.busy(form, true);
    try {
      const stanza = await saveInput(this.rest, desc, mode, values);
      await this.show('inputs');
      this.say('success', `${stanza} saved.`);
    } catch (e) {
      this.busy(form, false);
      this.fieldErrors(form, e);
      this.say('error', errorText(e));
    }
  }

  private async testInput(form: HTMLFormElement, desc: InputDescription, mode: FormMode, result: HTMLElement): Promise<void> {
    this.clear();
    const values = this.readInputForm(form, desc, mode);
    result.hidden = false;
    result.className = 'tazt-test tazt-pending';
    result.textContent = 'Testing the connection…';
    this.busy(form, true);
    try {
      await testConnection(this.rest, desc, mode, values);
      this.fieldErrors(form, undefined);
      result.className = 'tazt-test tazt-success';
      result.textContent = 'Connection test passed: the settings are valid and the service accepted the credentials.';
    } catch (e) {
      this.fieldErrors(form, e);
      result.className = 'tazt-test tazt-error';
      result.textContent = `Connection test failed. ${errorText(e)}`;
    } finally {
      this.busy(form, false);
    }
  }

  // ---- Proxy ----

  private async proxyTab(): Promise<void> {
    const { form: p, passwordStored } = await loadProxy(this.rest);
    if (this.tab !== 'proxy') return;
    const form = h('form', { class: 'tazt-form', novalidate: true },
      h('h3', {}, 'Proxy'),
      h('p', { class: 'tazt-help' }, 'Used by every input for the vendor APIs, unless the input sets its own proxy URL.'),
      this.field({ name: 'proxy_enabled', title: 'Enable proxy', type: 'boolean', description: 'Send vendor API requests through this proxy.' }, p.proxy_enabled ? '1' : '0'),
      this.field({ name: 'proxy_type', title: 'Proxy type', type: 'string', choices: ['http', 'https'], required: true, description: 'http: plain connection to the proxy (CONNECT); https: TLS to the proxy.' }, p.proxy_type),
      this.field({ name: 'proxy_url', title: 'Proxy host', type: 'string', description: 'Host name or IP of the proxy (proxy.example.com), or a URL with scheme and port.' }, p.proxy_url),
      this.field({ name: 'proxy_port', title: 'Port', type: 'string', description: '1-65535. Default 8080 when the host gives none.' }, p.proxy_port),
      this.field({ name: 'proxy_username', title: 'Username', type: 'string', description: 'Leave empty when the proxy needs no authentication.' }, p.proxy_username),
      this.field({ name: 'proxy_password', title: 'Password', type: 'string', secret: true, description: 'Kept in storage/passwords.' }, '',
        passwordStored ? 'Stored. Leave empty to keep it.' : undefined),
      passwordStored ? h('label', { class: 'tazt-check' }, h('input', { type: 'checkbox', name: 'clear_password' }), ' Remove the stored password') : undefined,
      h('div', { class: 'tazt-buttons' }, h('button', { type: 'submit', class: 'tazt-primary' }, 'Save')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const el = (n: string) => form.elements.namedItem(n) as HTMLInputElement | null;
      const values: ProxyForm = {
        proxy_enabled: !!el('proxy_enabled')?.checked,
        proxy_type: (form.elements.namedItem('proxy_type') as HTMLSelectElement).value,
        proxy_url: el('proxy_url')?.value ?? '',
        proxy_port: el('proxy_port')?.value ?? '',
        proxy_username: el('proxy_username')?.value ?? '',
        password: el('proxy_password')?.value ?? '',
        clearPassword: !!el('clear_password')?.checked,
      };
      void this.saveSettings(form, () => saveProxy(this.rest, values), 'proxy', 'Proxy settings saved. Inputs use them from their next run.');
    });
    this.body.replaceChildren(form);
  }

  private async saveSettings(form: HTMLFormElement, save: () => Promise<void>, tab: Page['tab'], done: string): Promise<void> {
    this.clear();
    this.busy(form, true);
    try {
      await save();
      await this.show(tab);
      this.say('success', done);
    } catch (e) {
      this.busy(form, false);
      this.fieldErrors(form, e);
      this.say('error', errorText(e));
    }
  }

  // ---- Logging ----

  private async loggingTab(): Promise<void> {
    const level = await loadLogLevel(this.rest);
    if (this.tab !== 'logging') return;
    const form = h('form', { class: 'tazt-form', novalidate: true },
      h('h3', {}, 'Logging'),
      this.field({ name: 'loglevel', title: 'Log level', type: 'string', choices: LOG_LEVELS, required: true,
        description: 'Least severe level written to $SPLUNK_HOME/var/log/splunk/ta_zerotrust_events_<input>.log. DEBUG logs requests and counts, never secrets.' }, level),
      h('div', { class: 'tazt-buttons' }, h('button', { type: 'submit', class: 'tazt-primary' }, 'Save')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const chosen = (form.elements.namedItem('loglevel') as HTMLSelectElement).value;
      void this.saveSettings(form, () => saveLogLevel(this.rest, chosen), 'logging', `Log level set to ${chosen}. Inputs use it from their next run.`);
    });
    this.body.replaceChildren(form);
  }
}

const CSS_ESCAPE = (s: string) => s.replace(/["\\]/g, '\\$&');

export function mount(root: HTMLElement): void {
  const ctx = webContext(location.pathname, location.port, document.cookie);
  new Page(root, new SplunkRest(ctx)).start();
}

function boot(): void {
  const found = document.getElementById(MOUNT_ID);
  if (found) return mount(found);
  // Splunk renders the dashboard's panels after it loaded the script.
  const watch = new MutationObserver(() => {
    const el = document.getElementById(MOUNT_ID);
    if (!el) return;
    watch.disconnect();
    mount(el);
  });
  watch.observe(document.documentElement, { childList: true, subtree: true });
}

if (typeof document !== 'undefined') boot();
