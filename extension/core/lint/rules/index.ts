// The table of lint rules, in code order. Codes are a public interface (docs, suppressions, CI):
// never renumbered. The catalog (catalog.ts), the configuration, SARIF's rule list and the docs
// index (docs/rules/README.md, checked against this table by test/unit/lint/docs.test.ts) all
// come from here; a new rule is one module and one line below.
import { LS001 } from './LS001';
import { LS002 } from './LS002';
import { LS003 } from './LS003';
import { LS004 } from './LS004';
import { LS005 } from './LS005';
import { LS006 } from './LS006';
import { LS007 } from './LS007';
import { LS008 } from './LS008';
import { LS009 } from './LS009';
import { LS010 } from './LS010';
import { LS011 } from './LS011';
import { LS012 } from './LS012';
import { LS101 } from './LS101';
import { LS102 } from './LS102';
import { LS103 } from './LS103';
import { LS104 } from './LS104';
import type { PythonRule, Rule, SchemaRule } from './rule';

export const RULE_TABLE: readonly Rule[] = [LS001, LS002, LS003, LS004, LS005, LS006, LS007, LS008, LS009, LS010, LS011, LS012, LS101, LS102, LS103, LS104];

export const PYTHON_RULES: readonly PythonRule[] = RULE_TABLE.filter((r): r is PythonRule => r.target === 'python');
export const SCHEMA_RULES: readonly SchemaRule[] = RULE_TABLE.filter((r): r is SchemaRule => r.target === 'schema');

export type { PythonRule, Rule, RuleMeta, SchemaRule } from './rule';
