/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The add-on's Configuration page (default/data/ui/views/configuration.xml loads the bundle of
 * this file as appserver/static/configuration.js). Tabs: Inputs (list, add, edit, clone,
 * enable/disable, delete, test connection), Accounts (connections defined once and named by
 * inputs: list with the inputs using each, add, edit, delete, test connection), Proxy, Logging.
 * The forms come from the input descriptions and the modules' account kinds, the same lists that
 * build the scheme XML and the .conf.spec files.
 *
 * Splunk loads dashboard scripts through RequireJS before the panels exist, the test harness with
 * a plain <script>: either way the page waits for its mount element and needs no loader.
 * Everything is built with textContent: nothing from splunkd is ever parsed as HTML.
 */
import type { AccountDescription } from '../core/account';
import { MASK, type ArgumentDescription, type InputDescription } from '../core/description';
import { descriptionsOf } from '../core/source-module';
import { SOURCE_MODULES } from '../sources';
import {
  checkAccountForm, deleteAccount, initialAccountForm, inputsUsing, listAccounts, saveAccount, testAccount,
  type AccountForm, type AccountMode, type AccountRecord,
} from './accounts';
import {
  checkForm, chosenAccount, initialForm, listInputs, loadLogLevel, loadProxy, LOG_LEVELS, removeInput, saveInput, saveLogLevel, saveProxy,
  setInputDisabled, testConnection, type FormMode, type InputForm, type InputRecord, type ProxyForm,
} from './model';
import { SplunkError, SplunkRest, webContext } from './rest';

/** The module list's descriptions; its lazy loaders (collectors, Node-only) are stubs in the page's bundle. */
export const DESCRIPTIONS: readonly InputDescription[] = descriptionsOf(SOURCE_MODULES);
/** Every account kind the modules declare, once each. */
export const ACCOUNT_KINDS: readonly AccountDescription[] = [...new Map(SOURCE_MODULES.flatMap((m) => m.accounts ?? []).map((k) => [k.kind, k])).values()];

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

type Tab = 'inputs' | 'accounts' | 'proxy' | 'logging';
const TAB_TITLES: Record<Tab, string> = { inputs: 'Inputs', accounts: 'Accounts', proxy: 'Proxy', logging: 'Logging' };

class Page {
  private tab: Tab = 'inputs';
  /** The accounts as last listed: the input forms offer them. */
  private accounts: AccountRecord[] = [];
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

  private say(kind: 'error' | 'success' | 'pending', text: string): void {
    this.banner.className = `tazt-msg tazt-${kind}`;
    this.banner.textContent = text;
    this.banner.hidden = false;
  }

  private clear(): void {
    this.banner.hidden = true;
    this.banner.textContent = '';
  }

  private async show(tab: Tab, keepMessage = false): Promise<void> {
    this.tab = tab;
    if (!keepMessage) this.clear();
    const tabs: Tab[] = ACCOUNT_KINDS.length ? ['inputs', 'accounts', 'proxy', 'logging'] : ['inputs', 'proxy', 'logging'];
    this.tabs.replaceChildren(...tabs.map((t) =>
      h('button', { type: 'button', role: 'tab', class: 'tazt-tab', 'aria-selected': String(t === tab), click: () => void this.show(t) }, TAB_TITLES[t])));
    this.body.replaceChildren(h('p', { class: 'tazt-loading' }, 'Loading…'));
    try {
      if (tab === 'inputs') await this.inputsTab();
      else if (tab === 'accounts') await this.accountsTab();
      else if (tab === 'proxy') await this.proxyTab();
      else await this.loggingTab();
    } catch (e) {
      this.body.replaceChildren();
      this.say('error', errorText(e));
    }
  }

  // ---- Inputs ----

  private async inputsTab(): Promise<void> {
    const [inputs, accounts] = await Promise.all([listInputs(this.rest, DESCRIPTIONS), listAccounts(this.rest, ACCOUNT_KINDS)]);
    if (this.tab !== 'inputs') return;
    this.accounts = accounts;
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
      h('td', {}, input.name),
      h('td', {}, desc.title, desc.account && input.values[desc.account.param] ? h('div', { class: 'tazt-help' }, `Connection: ${input.values[desc.account.param]}`) : undefined),
      h('td', {}, input.values.interval ?? ''), h('td', {}, input.values.index || 'default'),
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

  /** Runs a change, then shows the tab's list again with the outcome. */
  private async run(change: () => Promise<void>, done: string, tab: Tab = 'inputs'): Promise<void> {
    this.clear();
    try {
      await change();
      await this.show(tab);
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
    const param = desc.account?.param;
    const connection = desc.account ? this.connectionField(desc, init.args[desc.account.param] ?? '') : undefined;
    const own = (a: ArgumentDescription) => a.name !== param;
    const form = this.editForm(title, [
      ...basics,
      connection?.field,
      ...desc.args.filter((a) => !a.advanced && own(a)).map(argField),
      h('details', {}, h('summary', {}, 'Advanced settings'), ...desc.args.filter((a) => a.advanced && own(a)).map(argField)),
    ], 'inputs', {
      save: (f) => this.saveForm(f, 'inputs', () => this.readInputForm(f, desc, mode),
        (values) => checkForm(desc, mode, values, this.accounts),
        async (values) => `${await saveInput(this.rest, desc, mode, values, this.accounts)} saved.`),
      test: (f) => testConnection(this.rest, desc, mode, this.readInputForm(f, desc, mode), { accounts: this.accounts }),
    });
    if (connection) {
      // With an account chosen its settings come from there: hidden, not required, saved empty.
      const supplied = new Set(desc.account!.args.map((a) => a.name));
      const sync = () => {
        for (const el of form.querySelectorAll<HTMLElement>('[data-field]')) if (supplied.has(el.dataset.field ?? '')) el.hidden = connection.select.value !== '';
        connection.note.hidden = connection.select.value === '';
        connection.note.textContent = connection.select.value
          ? `The connection settings and secrets come from ${desc.account!.kind}://${connection.select.value} (Accounts tab); this input keeps none of its own.`
          : '';
      };
      connection.select.addEventListener('change', sync);
      sync();
    }
    this.body.replaceChildren(form);
  }

  /** The input's account choice: its own settings, or one of the accounts of the kind it takes. */
  private connectionField(desc: InputDescription, value: string): { field: HTMLElement; select: HTMLSelectElement; note: HTMLElement } {
    const kind = desc.account!;
    const arg = desc.args.find((a) => a.name === kind.param);
    const names = this.accounts.filter((a) => a.kind === kind.kind).map((a) => a.name);
    const select = h('select', { id: `tazt-f-${kind.param}`, name: kind.param },
      h('option', { value: '' }, "Use this input's own settings"),
      ...names.map((n) => h('option', { value: n, selected: n === value }, n)),
      // A stanza naming an account that is gone keeps its choice visible rather than silently switching.
      ...(value && !names.includes(value) ? [h('option', { value, selected: true }, `${value} (not found)`)] : []));
    const note = h('div', { class: 'tazt-help tazt-connection-note', hidden: true });
    const field = h('div', { class: 'tazt-field', 'data-field': kind.param },
      h('label', { for: `tazt-f-${kind.param}` }, arg?.title ?? kind.title),
      select,
      h('div', { class: 'tazt-help' }, names.length
        ? 'A connection defined once on the Accounts tab, or the settings of this input below.'
        : `No ${kind.title} is defined yet: add one on the Accounts tab to share it between inputs, or use the settings of this input below.`),
      note,
      h('div', { class: 'tazt-field-error', role: 'alert', hidden: true }));
    return { field, select, note };
  }

  /**
   * A form with Save, Test connection and Cancel (back to `back`); a test's outcome shows in the
   * form, above the buttons.
   */
  private editForm(title: string, fields: (Node | undefined)[], back: Tab,
    on: { save: (form: HTMLFormElement) => Promise<void>; test: (form: HTMLFormElement) => Promise<void> }): HTMLFormElement {
    const result = h('div', { class: 'tazt-test', role: 'status', hidden: true });
    const form = h('form', { class: 'tazt-form', novalidate: true },
      h('h3', {}, title),
      ...fields,
      result,
      h('div', { class: 'tazt-buttons' },
        h('button', { type: 'submit', class: 'tazt-primary' }, 'Save'),
        h('button', { type: 'button', name: 'test', click: () => void this.testing(form, result, () => on.test(form)) }, 'Test connection'),
        h('button', { type: 'button', click: () => void this.show(back) }, 'Cancel')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void on.save(form);
    });
    return form;
  }

  private readInputForm(form: HTMLFormElement, desc: InputDescription, mode: FormMode): InputForm {
    const value = (name: string) => fieldValue(form, name);
    const f: InputForm = {
      name: mode.kind === 'edit' ? mode.input.name : value('name'),
      interval: value('interval'),
      index: value('index'),
      args: {},
      secrets: {},
    };
    for (const a of desc.args) (a.secret ? f.secrets : f.args)[a.name] = value(a.name);
    // The account supplies these: whatever the hidden fields hold is not saved.
    if (chosenAccount(desc, f)) for (const a of desc.account!.args) (a.secret ? f.secrets : f.args)[a.name] = '';
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

  /** Reads and checks the form (errors at their field), saves, then shows `tab` with the outcome. */
  private async saveForm<F>(form: HTMLFormElement, tab: Tab, read: () => F, check: (values: F) => void, save: (values: F) => Promise<string>): Promise<void> {
    this.clear();
    const values = read();
    try {
      check(values);
    } catch (e) {
      this.fieldErrors(form, e);
      this.say('error', errorText(e));
      return;
    }
    this.fieldErrors(form, undefined);
    this.busy(form, true);
    try {
      const done = await save(values);
      await this.show(tab);
      this.say('success', done);
    } catch (e) {
      this.busy(form, false);
      this.fieldErrors(form, e);
      this.say('error', errorText(e));
    }
  }

  /** Runs a connection test of a form and shows its outcome in the form. */
  private async testing(form: HTMLFormElement, result: HTMLElement, test: () => Promise<void>): Promise<void> {
    this.clear();
    result.hidden = false;
    result.className = 'tazt-test tazt-pending';
    result.textContent = 'Testing the connection…';
    this.busy(form, true);
    try {
      await test();
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

  // ---- Accounts ----

  private async accountsTab(): Promise<void> {
    const [accounts, inputs] = await Promise.all([listAccounts(this.rest, ACCOUNT_KINDS), listInputs(this.rest, DESCRIPTIONS.filter((d) => d.account))]);
    if (this.tab !== 'accounts') return;
    this.accounts = accounts;
    const kind = h('select', { name: 'new_account_kind', 'aria-label': 'Account type' },
      ...ACCOUNT_KINDS.map((k) => h('option', { value: k.kind }, k.title)));
    const toolbar = h('div', { class: 'tazt-toolbar' }, kind,
      h('button', { type: 'button', class: 'tazt-primary', click: () => this.accountForm(ACCOUNT_KINDS.find((k) => k.kind === kind.value)!, { kind: 'create' }) }, 'Add account'));
    const intro = h('p', { class: 'tazt-help' },
      'A connection defined here once (address, credentials, TLS and proxy settings) is chosen by name in the inputs\' forms; its secrets are stored once, in Splunk\'s storage/passwords. ' +
      'Inputs with their own settings keep working as they are.');
    const rows = accounts.map((a) => this.accountRow(a, inputsUsing(a, inputs, DESCRIPTIONS)));
    const table = h('table', { class: 'tazt-table tazt-accounts' },
      h('thead', {}, h('tr', {}, ...['Name', 'Type', 'Settings', 'Used by', 'Actions'].map((c) => h('th', {}, c)))),
      h('tbody', {}, ...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '5', class: 'tazt-empty' }, 'No accounts yet. Choose a type and select Add account.'))])));
    this.body.replaceChildren(toolbar, intro, table);
  }

  private accountRow(account: AccountRecord, users: InputRecord[]): HTMLTableRowElement {
    const kind = ACCOUNT_KINDS.find((k) => k.kind === account.kind)!;
    const stanza = `${account.kind}://${account.name}`;
    // What an admin recognises the account by: the main settings, and advanced ones only when set.
    const settings = kind.args.filter((a) => (a.secret ? account.values[a.name] === MASK : !a.advanced || (account.values[a.name] ?? '') !== ''))
      .map((a) => h('div', { 'data-setting': a.name }, `${a.title}: ${a.secret ? 'stored' : account.values[a.name] || '(not set)'}`));
    const actions = h('td', { class: 'tazt-actions' });
    const row = h('tr', { 'data-account': stanza },
      h('td', {}, account.name), h('td', {}, kind.title), h('td', { class: 'tazt-settings' }, ...settings),
      h('td', { class: 'tazt-users' }, ...(users.length ? users.map((i) => h('div', {}, `${i.scheme}://${i.name}`)) : [h('span', { class: 'tazt-empty' }, 'Not used')])),
      actions);
    const act = (label: string, run: () => void) => h('button', { type: 'button', class: 'tazt-link', click: run }, label);
    const normal = () => actions.replaceChildren(
      act('Edit', () => this.accountForm(kind, { kind: 'edit', account })),
      act('Test connection', () => void this.testSavedAccount(kind, account)),
      act('Delete', () => actions.replaceChildren(
        h('span', {}, `Delete ${account.name} and its stored secrets? `),
        act('Confirm delete', () => void this.run(() => deleteAccount(this.rest, kind, account, DESCRIPTIONS), `${stanza} deleted.`, 'accounts')),
        act('Cancel', normal))),
    );
    normal();
    return row;
  }

  private async testSavedAccount(kind: AccountDescription, account: AccountRecord): Promise<void> {
    this.clear();
    this.say('pending', `Testing the connection of ${kind.kind}://${account.name}…`);
    try {
      const mode: AccountMode = { kind: 'edit', account };
      await testAccount(this.rest, kind, mode, initialAccountForm(kind, mode), DESCRIPTIONS);
      this.say('success', `Connection test of ${kind.kind}://${account.name} passed: the settings are valid and the service accepted the credentials.`);
    } catch (e) {
      this.say('error', `Connection test failed. ${errorText(e)}`);
    }
  }

  private accountForm(kind: AccountDescription, mode: AccountMode): void {
    this.clear();
    const init = initialAccountForm(kind, mode);
    const stored = (a: ArgumentDescription) => mode.kind === 'edit' && mode.account.values[a.name] === MASK;
    const argField = (a: ArgumentDescription) => {
      if (!a.secret) return this.field(a, init.args[a.name] ?? '');
      const f = this.field(a, '', stored(a) ? 'Stored. Leave empty to keep it.' : undefined);
      // An optional secret (a proxy password) can be removed; a required one only replaced.
      if (stored(a) && !a.required) f.append(h('label', { class: 'tazt-check' }, h('input', { type: 'checkbox', name: `remove_${a.name}` }), ` Remove the stored ${a.title.toLowerCase()}`));
      return f;
    };
    const naming = mode.kind === 'create'
      ? this.field({ name: 'name', title: 'Name', type: 'string', required: true,
        description: `Inputs choose the account by this name (${kind.param} = <name>; the stanza is ${kind.kind}://<name>). Letters, digits, _ - . ; it cannot be changed later.` }, '')
      : h('p', { class: 'tazt-help tazt-rename' }, `Name: ${mode.account.name}. An account cannot be renamed, because inputs refer to it by name: ` +
        'to rename it, add an account with the new name, choose it in the inputs that use this one, then delete this one.');
    const form = this.editForm(mode.kind === 'create' ? `Add ${kind.title}` : `Edit ${kind.kind}://${mode.account.name}`, [
      h('p', { class: 'tazt-help' }, kind.description),
      naming,
      ...kind.args.filter((a) => !a.advanced).map(argField),
      h('details', {}, h('summary', {}, 'TLS, proxy and timeout'), ...kind.args.filter((a) => a.advanced).map(argField)),
    ], 'accounts', {
      save: (f) => this.saveForm(f, 'accounts', () => this.readAccountForm(f, kind, mode),
        (values) => checkAccountForm(kind, mode, values),
        async (values) => `${await saveAccount(this.rest, kind, mode, values, DESCRIPTIONS)} saved.${mode.kind === 'edit' ? ' The inputs that use it take the change from their next run.' : ''}`),
      test: (f) => testAccount(this.rest, kind, mode, this.readAccountForm(f, kind, mode), DESCRIPTIONS),
    });
    this.body.replaceChildren(form);
  }

  private readAccountForm(form: HTMLFormElement, kind: AccountDescription, mode: AccountMode): AccountForm {
    const value = (name: string) => fieldValue(form, name);
    const f: AccountForm = { name: mode.kind === 'edit' ? mode.account.name : value('name'), args: {}, secrets: {}, remove: {} };
    for (const a of kind.args) {
      if (!a.secret) f.args[a.name] = value(a.name);
      else {
        f.secrets[a.name] = value(a.name);
        f.remove[a.name] = value(`remove_${a.name}`) === '1';
      }
    }
    return f;
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

  private async saveSettings(form: HTMLFormElement, save: () => Promise<void>, tab: Tab, done: string): Promise<void> {
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

/** A control's value as the models take it: a checkbox as '1' or '0', a missing control as ''. */
function fieldValue(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
  if (!el) return '';
  if (el instanceof HTMLInputElement && el.type === 'checkbox') return el.checked ? '1' : '0';
  return el.value;
}

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
