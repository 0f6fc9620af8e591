import { autocompletion } from '@codemirror/autocomplete';
import { sql, StandardSQL } from '@codemirror/lang-sql';
import { Compartment, EditorSelection, Prec } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';

/** Table name → its column names, for completion. */
export type SqlSchema = Record<string, string[]>;

export interface SqlEditor {
  readonly view: EditorView;
  text(): string;
  setText(text: string): void;
  /** Completion from the tables' schemas (GET /schemas), set once they arrive. */
  setSchema(schema: SqlSchema): void;
  /** Puts the cursor at a 1-based line and column (where a parse error points). */
  moveTo(line: number, column: number): void;
}

/**
 * CodeMirror 6 with SQL highlighting, table/column completion, and Ctrl/Cmd-Enter bound to `run`
 * (highest precedence, so it wins over inserting a new line).
 */
export function createSqlEditor(parent: HTMLElement, initial: string, run: () => void): SqlEditor {
  const language = new Compartment();
  let schema: SqlSchema = {};
  let defaultTable: string | undefined;
  // Columns complete unqualified for the table the query reads (`FROM t`), qualified for any table.
  const configure = () => sql({ dialect: StandardSQL, upperCaseKeywords: true, schema, ...(defaultTable ? { defaultTable } : {}) });
  const follow = (text: string): boolean => {
    const table = /\bFROM\s+"?([A-Za-z_][\w.]*)/i.exec(text)?.[1];
    const next = table !== undefined && schema[table] !== undefined ? table : undefined;
    if (next === defaultTable) return false;
    defaultTable = next;
    return true;
  };
  const view: EditorView = new EditorView({
    parent,
    doc: initial,
    extensions: [
      Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => (run(), true) }])),
      basicSetup,
      language.of(sql({ dialect: StandardSQL, upperCaseKeywords: true })),
      autocompletion({ activateOnTyping: true }),
      EditorView.contentAttributes.of({ 'aria-label': 'SQL query (Ctrl+Enter or Cmd+Enter runs it)' }),
      EditorView.lineWrapping,
      EditorView.updateListener.of((update) => {
        if (update.docChanged && follow(update.state.doc.toString())) queueMicrotask(() => view.dispatch({ effects: language.reconfigure(configure()) }));
      }),
    ],
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setSchema(tables) {
      schema = tables;
      follow(view.state.doc.toString());
      view.dispatch({ effects: language.reconfigure(configure()) });
    },
    moveTo(line, column) {
      const doc = view.state.doc;
      const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
      const pos = Math.min(l.from + Math.max(column - 1, 0), l.to);
      view.dispatch({ selection: EditorSelection.cursor(pos), scrollIntoView: true });
      view.focus();
    },
  };
}
