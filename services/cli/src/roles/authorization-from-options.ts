import { DEFAULT_SUB_HANDLING_CHOICES, type SubHandling } from '@presence/presence-agent';
import { UsageError, type OptionValues } from '@presence/runtime';

/** AUTHORIZATION_OPTIONS as the agent takes them (agent and standalone roles). */
export function defaultSubHandlingFromOptions(values: OptionValues): SubHandling {
  const value = values['default-sub-handling'] as string;
  const choice = DEFAULT_SUB_HANDLING_CHOICES.find((c) => c === value);
  if (choice === undefined) throw new UsageError(`--default-sub-handling: "${value}" is none of ${DEFAULT_SUB_HANDLING_CHOICES.join(', ')}`);
  return choice;
}
