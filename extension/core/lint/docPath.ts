// Where a rule's page lives in the repository (and in the vsix: docs/rules ships). Apart from the
// catalog so that the editor's language client links the pages without loading every rule.
import type { FileProblemCode, RuleCode } from './types';

/** Where the rule's page lives in the repository. */
export function ruleDocPath(code: RuleCode | FileProblemCode): string {
  return `docs/rules/${code}.md`;
}
