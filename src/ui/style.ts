/** Styles of the configuration page, scoped under .tazt; close to Splunk's own light theme. */
export const CSS = `
.tazt { font-family: "Splunk Platform Sans", "Proxima Nova", Roboto, "Helvetica Neue", Arial, sans-serif; color: #2b3033; font-size: 14px; max-width: 1100px; }
.tazt h3 { font-size: 18px; font-weight: 500; margin: 0 0 12px; }
.tazt-tabs { display: flex; gap: 4px; border-bottom: 1px solid #c3cbd4; margin-bottom: 16px; }
.tazt button.tazt-tab { background: none; border: 0; border-bottom: 3px solid transparent; border-radius: 0; padding: 8px 14px; cursor: pointer; color: #3c444d; }
.tazt button.tazt-tab[aria-selected="true"] { border-bottom-color: #1f4e79; color: #1f4e79; font-weight: 600; }
.tazt-msg { padding: 10px 14px; border-radius: 3px; margin-bottom: 14px; border-left: 4px solid; }
.tazt-error { background: #fcebeb; border-color: #d6563c; color: #7a1f12; }
.tazt-success { background: #ebf6ec; border-color: #3c9b41; color: #1d5220; }
.tazt-pending { background: #eef3f8; border-color: #1f4e79; }
.tazt-toolbar { display: flex; gap: 8px; margin-bottom: 12px; }
.tazt-table { border-collapse: collapse; width: 100%; background: #fff; }
.tazt-table th, .tazt-table td { text-align: left; padding: 8px 10px; border-bottom: 1px solid #e1e6eb; }
.tazt-table th { background: #f2f4f5; font-weight: 600; }
.tazt-empty { color: #5c6773; font-style: italic; }
.tazt-on { color: #1d5220; font-weight: 600; }
.tazt-off { color: #7a1f12; font-weight: 600; }
.tazt-actions { white-space: nowrap; }
.tazt button { font: inherit; padding: 6px 14px; border: 1px solid #c3cbd4; border-radius: 3px; background: #fff; cursor: pointer; }
.tazt button:disabled { opacity: .5; cursor: default; }
.tazt button.tazt-primary { background: #1f4e79; border-color: #1f4e79; color: #fff; }
.tazt button.tazt-link { border: 0; background: none; color: #1f4e79; padding: 2px 6px; }
.tazt button.tazt-link:hover { text-decoration: underline; }
.tazt-form { background: #fff; border: 1px solid #e1e6eb; padding: 16px 20px; max-width: 760px; }
.tazt-field { margin-bottom: 12px; }
.tazt-field label { display: block; font-weight: 600; margin-bottom: 4px; }
.tazt-field input[type=text], .tazt-field input[type=password], .tazt-field select, .tazt-toolbar select { width: 100%; max-width: 460px; padding: 6px 8px; border: 1px solid #c3cbd4; border-radius: 3px; font: inherit; box-sizing: border-box; }
.tazt-toolbar select { width: auto; }
.tazt-help { color: #5c6773; font-size: 12px; margin-top: 3px; }
.tazt-req { color: #d6563c; }
.tazt-field-error { color: #b3351f; font-size: 13px; margin-top: 4px; }
.tazt details { margin: 8px 0 12px; }
.tazt summary { cursor: pointer; color: #1f4e79; margin-bottom: 10px; }
.tazt-test { padding: 10px 14px; margin: 12px 0; border-left: 4px solid; border-radius: 3px; }
.tazt-buttons { display: flex; gap: 8px; margin-top: 12px; }
.tazt-check { display: block; margin-bottom: 12px; }
.tazt-loading { color: #5c6773; }
`;
